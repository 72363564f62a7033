"""Shared fixtures: the repository's own plugin set, loaded through entry points."""

from __future__ import annotations

import pytest

from leyden.kernel import PluginRegistry


@pytest.fixture(scope="session")
def plugins() -> PluginRegistry:
    """The built-in plugins, loaded through their entry points like any others."""
    return PluginRegistry.load()
