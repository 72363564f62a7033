"""The TICKscript examples in the docstrings of these node modules compile."""

from __future__ import annotations

import importlib
import re

import pytest

from leyden.kernel import Kernel

MODULES = (
    "join",
    "union",
    "combine",
    "flatten",
    "changedetect",
    "state",
    "sideload",
    "barrier",
    "stats",
    "deadman",
    "loopback",
    "httppost",
)


def examples(doc: str) -> str:
    """Every ``::`` block of a docstring, dedented and joined into one script."""
    blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", doc)
    return "\n".join("\n".join(line[4:] for line in block.splitlines()) for block in blocks)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_compile(name, plugins):
    doc = importlib.import_module(f"leyden.plugins.nodes.{name}").__doc__
    script = examples(doc)
    assert script.strip(), f"{name} has no TICKscript example"
    pipeline = Kernel(plugins).compile(script)
    assert pipeline.nodes
