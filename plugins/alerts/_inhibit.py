"""Inhibition: an alert in trouble silences related alerts of another category.

::

    // cpu_alert.tick                       // host_alert.tick
    |alert()                                |deadman(0.0, 1m)
        .category('system_alerts')              .inhibit('system_alerts', 'host')
        .crit(lambda: "usage_idle" < 10)

While a host's deadman alert is not OK, CPU alerts of that host (same ``host`` tag)
still change state but reach no handler. Each group of an inhibiting alert owns an
:class:`Inhibitor`; all of them live in one :class:`Inhibitors` registry per server.
"""

from __future__ import annotations

from collections.abc import Mapping


class Inhibitor:
    """Inhibits ``category`` events whose tags include ``tags``, while ``active``."""

    __slots__ = ("active", "category", "tags")

    def __init__(self, category: str, tags: Mapping[str, str]) -> None:
        self.category = category
        self.tags = dict(tags)
        self.active = False

    def inhibits(self, category: str, tags: Mapping[str, str]) -> bool:
        if not self.active or category != self.category:
            return False
        return all(tags.get(k) == v for k, v in self.tags.items())


class Inhibitors:
    """Every inhibitor of a server, by category."""

    def __init__(self) -> None:
        self._by_category: dict[str, list[Inhibitor]] = {}

    def add(self, inhibitor: Inhibitor) -> None:
        self._by_category.setdefault(inhibitor.category, []).append(inhibitor)

    def remove(self, inhibitor: Inhibitor) -> None:
        found = self._by_category.get(inhibitor.category, [])
        if inhibitor in found:
            found.remove(inhibitor)
        if not found:
            self._by_category.pop(inhibitor.category, None)

    def is_inhibited(self, category: str, tags: Mapping[str, str]) -> bool:
        """Whether an event of ``category`` with ``tags`` is inhibited now."""
        if not category:
            return False
        return any(i.inhibits(category, tags) for i in self._by_category.get(category, ()))


#: The registry alert nodes use when the application offers none of its own
#: (``services["alerts"].inhibitors``): one per process, as Kapacitor has one per server.
DEFAULT_INHIBITORS = Inhibitors()
