"""The kernel's public names: each exported once, under its own name, documented."""

from __future__ import annotations

import ast
import inspect
from collections import Counter
from pathlib import Path

import leyden.kernel as kernel
from leyden.kernel import hookspecs


def exports() -> list[tuple[str, str]]:
    tree = ast.parse(Path(kernel.__file__).read_text())
    return [
        (alias.name, alias.asname or "")
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]


def test_each_name_is_exported_once_under_its_own_name():
    names = exports()
    assert all(name == asname for name, asname in names), [n for n in names if n[0] != n[1]]
    assert [n for n, count in Counter(a for _, a in names).items() if count > 1] == []


def test_exported_classes_and_functions_are_documented():
    for _, name in exports():
        obj = getattr(kernel, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name


def test_every_hookspec_is_documented():
    specs = [f for n, f in vars(hookspecs).items() if n.startswith("leyden_")]
    assert len(specs) >= 5
    for spec in specs:
        assert spec.__doc__ and len(spec.__doc__.split()) > 15, spec.__name__
