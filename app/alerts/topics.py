"""Alert topics: the latest state of every alert published to them.

A topic keeps, per alert id, the last event it received (Kapacitor's ``EventState``:
level, message, details, time, duration); the topic's level is the most severe of
them. Topics are made on first use: by an alert node publishing to
``.topic('cpu')`` or to its anonymous topic ``main:<task>:<node>``, by a topic
handler defined on them, or by a ``publish``/``aggregate`` action.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from leyden.plugins.alerts import AlertEvent, Level

#: Kapacitor's task master id, the first part of an anonymous topic's name.
TASK_MASTER = "main"


def valid_topic_id(text: str) -> bool:
    """Kapacitor's topic ids: letters, ASCII digits and ``-``, ``.``, ``_``, ``:``."""
    return bool(text) and all(c.isalpha() or c in "-._:0123456789" for c in text)


def pattern_match(pattern: str, text: str) -> bool:
    """Shell glob matching as the API's ``pattern`` parameters do; "" matches all."""
    return not pattern or fnmatch.fnmatchcase(text, pattern)


class Topic:
    """One topic: its events by alert id and how many it has collected since start."""

    __slots__ = ("collected", "events", "id")

    def __init__(self, topic_id: str) -> None:
        self.id = topic_id
        self.events: dict[str, AlertEvent] = {}
        self.collected = 0

    @property
    def level(self) -> Level:
        """The most severe level among the topic's events (OK when it has none)."""
        return max((e.level for e in self.events.values()), default=Level.OK)

    def sorted_events(self, min_level: Level = Level.OK) -> Iterator[AlertEvent]:
        """Events at ``min_level`` or above, most severe first, then by id."""
        chosen = [e for e in self.events.values() if e.level >= min_level]
        chosen.sort(key=lambda e: (-e.level, e.id))
        return iter(chosen)


def first_triggered(event: AlertEvent) -> int:
    """When the alert behind ``event`` left OK: its time minus its duration."""
    return event.time - event.duration
