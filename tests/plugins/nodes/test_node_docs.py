"""Every node module's docstring shows TICKscript that compiles (STYLE.md: docstrings
are checked), so the examples a user reads work as written."""

from __future__ import annotations

import re
import sys

import pytest

from leyden.kernel import Kernel, PluginRegistry

PLUGINS = PluginRegistry.load()
BUILDERS = [spec.factory or spec.expand for spec in PLUGINS.nodes.values()]
MODULES = sorted({builder.__module__ for builder in BUILDERS if builder is not None})


def examples(doc: str) -> str:
    """Every ``::`` block of a docstring, dedented and joined into one script."""
    blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", doc)
    return "\n".join("\n".join(line[4:] for line in block.splitlines()) for block in blocks)


def test_every_node_module_is_covered():
    assert len(MODULES) >= 25


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_compile(module):
    script = examples(sys.modules[module].__doc__ or "")
    assert script.strip(), f"{module} has no TICKscript example"
    pipeline = Kernel(PLUGINS).compile(script)
    assert pipeline.nodes
