"""A third-party plugin package: installed with pip, refused until locked, then usable."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from leyden.kernel import PluginRegistry, TickError, installed_plugins, read_lock, write_lock
from leyden.kernel.testing import open_task

PACKAGE = Path(__file__).parent.parent / "thirdparty_plugin"
SCRIPT = """
stream
    |scale(2.0)
    |httpOut('out')
"""


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--quiet", *args], check=True)


@pytest.fixture(scope="module")
def example_plugin():
    pip("install", "--no-deps", "--no-build-isolation", str(PACKAGE))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        pip("uninstall", "--yes", "leyden-example-plugin")


@pytest.fixture
def builtin_lock(tmp_path, example_plugin):
    """A lock of everything installed except the example plugin."""
    path = tmp_path / "plugins.lock"
    write_lock(path, [e for e in installed_plugins() if e.distribution != "leyden-example-plugin"])
    return path


async def test_refused_until_locked(builtin_lock, caplog):
    registry = PluginRegistry.load(builtin_lock)
    assert "scale" not in registry.nodes
    [refusal] = [r for r in registry.refused if r.entry.distribution == "leyden-example-plugin"]
    assert "not in" in refusal.reason and "leyden plugins lock" in refusal.reason
    assert "node.scale" in caplog.text
    with pytest.raises(TickError, match="scale"):
        async with open_task(SCRIPT, plugins=registry):
            pass


async def test_usable_once_locked(tmp_path, example_plugin):
    lock = tmp_path / "plugins.lock"
    write_lock(lock, installed_plugins())
    assert any(e.name == "node.scale" and e.version == "1.0.0" for e in read_lock(lock))
    registry = PluginRegistry.load(lock)
    assert "scale" in registry.nodes
    async with open_task(SCRIPT, plugins=registry) as task:
        await task.write("cpu value=1.5 10\ncpu value=4.0 20\n", precision="s")
        assert task.output("out")["series"][0]["values"] == [["1970-01-01T00:00:20Z", 8.0]]


async def test_version_change_needs_a_new_lock(tmp_path, example_plugin):
    lock = tmp_path / "plugins.lock"
    entries = [
        e if e.name != "node.scale" else type(e)(e.name, e.kind, e.distribution, "0.9.0", e.entry_point)
        for e in installed_plugins()
    ]
    write_lock(lock, entries)
    registry = PluginRegistry.load(lock)
    assert "scale" not in registry.nodes
    [refusal] = [r for r in registry.refused if r.entry.name == "node.scale"]
    assert "0.9.0" in refusal.reason and "1.0.0" in refusal.reason


def test_the_committed_lock_pins_every_builtin():
    """Adding a built-in entry point without `leyden plugins lock` would leave it unloaded."""
    lock = Path(__file__).parent.parent.parent / "plugins.lock"
    builtins = [e for e in installed_plugins() if e.distribution == "leyden"]
    assert {e.key: e for e in read_lock(lock)} == {e.key: e for e in builtins}
