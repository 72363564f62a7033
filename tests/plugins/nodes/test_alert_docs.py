"""The TICKscript examples in the alert node's and handlers' docstrings compile."""

from __future__ import annotations

import importlib
import re

import pytest

from leyden.kernel import Kernel

MODULES = (
    "leyden.plugins.nodes.alert",
    "leyden.plugins.alerts.log",
    "leyden.plugins.alerts.post",
    "leyden.plugins.alerts.tcp",
    "leyden.plugins.alerts.exec",
)


def examples(doc: str) -> list[str]:
    """The ``::`` blocks of a docstring that are scripts (not config files), dedented."""
    blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", doc)
    scripts = ["\n".join(line[4:] for line in block.splitlines()) for block in blocks]
    return [s for s in scripts if s.lstrip().startswith("stream")]


@pytest.mark.parametrize("name", MODULES)
async def test_docstring_examples_compile(name, plugins):
    scripts = examples(importlib.import_module(name).__doc__)
    assert scripts, f"{name} has no TICKscript example"
    for script in scripts:
        pipeline = Kernel(plugins).compile(script)
        assert any(node.spec.name == "alert" for node in pipeline.nodes)
