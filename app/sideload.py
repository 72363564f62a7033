"""Kapacitor's sideload service: the sources of ``|sideload()`` nodes, shared by URL
so that ``POST /kapacitor/v1/sideload/reload`` reads every file tree again once."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

log = logging.getLogger("leyden.sideload")


class SideloadService:
    """Sources by URL, held only as long as some node uses them."""

    def __init__(self) -> None:
        self._sources: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()

    def source(self, url: str, open_source: Callable[[str], Any]) -> Any:
        """The source at ``url``, opened with ``open_source(url)`` if no node has it yet."""
        found = self._sources.get(url)
        if found is None:
            found = self._sources[url] = open_source(url)
        return found

    def reload(self) -> list[str]:
        """Read every source again; the errors of those that failed (they keep their
        previous values)."""
        errors = []
        for url, source in list(self._sources.items()):
            try:
                source.reload()
            except ValueError as err:
                log.error("sideload: cannot reload %s: %s", url, err)
                errors.append(str(err))
        return errors
