"""The README's first lines and its examples stay true."""

from __future__ import annotations

import re
from pathlib import Path

from leyden.kernel import PluginRegistry
from leyden.kernel.testing import open_task

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_first_lines_are_the_two_set_up_commands():
    first = code_blocks("sh")[0].splitlines()
    assert first[0].startswith("pip install -e . && leydend")
    assert first[1].startswith("pip install -e '.[test]' && python -m pytest")
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && python -m pytest" in ci  # CI runs the README's command


async def test_the_testing_example_passes(autojump_clock):
    [example] = [b for b in code_blocks("python") if "open_task" in b]
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)
    await namespace["test_cpu_mean"](autojump_clock)


async def test_the_plugin_example_works(autojump_clock):
    [example] = [b for b in code_blocks("python") if "leyden_node_specs" in b]
    namespace: dict = {"__name__": "readme_scale"}
    exec(compile(example, "README.md", "exec"), namespace)
    from leyden.plugins.nodes import httpout, source

    plugins = PluginRegistry.from_modules(source, httpout, _Module(namespace), *_tick())
    async with open_task("stream\n    |scale(2.0)\n    |httpOut('out')\n", plugins=plugins) as task:
        await task.write("m value=1.5 1\n", precision="s")
        assert task.output("out")["series"][0]["values"] == [["1970-01-01T00:00:01Z", 3.0]]


class _Module:
    """A namespace dict as a plugin object for pluggy."""

    def __init__(self, namespace: dict) -> None:
        self.leyden_node_specs = namespace["leyden_node_specs"]


def _tick() -> list:
    from leyden.tick import functions, plugin

    return [functions, plugin]
