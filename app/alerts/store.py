"""Topic events and topic handlers in the server's sqlite store.

The tables are made by the store's migrations (``alert_events``, ``topic_handlers``
in :data:`leyden.app.storage.MIGRATIONS`). Handler definitions are written as they
change (rare, from the API); events are written in batches by the alert service
(:meth:`AlertStore.write_events`), one transaction per batch, never per event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from leyden.plugins.alerts import AlertEvent, Level

from ..storage import Store
from .spec import HandlerSpec


class AlertStore:
    """Reads and writes the alert tables of a :class:`Store`."""

    def __init__(self, store: Store) -> None:
        # the alert tables live in the store's database (and its migrations)
        self._store = store
        self._conn = store.connection

    # -- events -------------------------------------------------------------------------

    def events(self) -> Iterable[tuple[str, AlertEvent]]:
        """Every stored event with its topic."""
        rows = self._conn.execute(
            "SELECT topic, id, level, message, details, time, duration FROM alert_events ORDER BY topic, id"
        )
        for topic, event_id, level, message, details, time, duration in rows:
            event = AlertEvent(
                id=event_id,
                message=message,
                details=details,
                time=time,
                duration=duration,
                level=Level(level),
                data={},
                topic=topic,
            )
            yield topic, event

    def write_events(
        self, changed: Iterable[tuple[str, AlertEvent]], removed: Iterable[tuple[str, str]]
    ) -> None:
        """Store ``changed`` (topic, event) pairs and forget ``removed`` (topic, id) ones, at once."""
        with self._store.transaction():
            self._conn.executemany(
                "INSERT OR REPLACE INTO alert_events (topic, id, level, message, details, time, duration)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (topic, e.id, int(e.level), e.message, e.details, e.time, e.duration)
                    for topic, e in changed
                ],
            )
            self._conn.executemany("DELETE FROM alert_events WHERE topic = ? AND id = ?", list(removed))

    def delete_topic(self, topic: str) -> None:
        self._conn.execute("DELETE FROM alert_events WHERE topic = ?", (topic,))

    # -- handlers -----------------------------------------------------------------------

    def handlers(self) -> list[HandlerSpec]:
        rows = self._conn.execute(
            "SELECT topic, id, kind, options, match FROM topic_handlers ORDER BY topic, id"
        )
        return [
            HandlerSpec(topic=topic, id=hid, kind=kind, options=json.loads(options), match=match)
            for topic, hid, kind, options, match in rows
        ]

    def put_handler(self, spec: HandlerSpec, replacing: str | None = None) -> None:
        """Store ``spec``; ``replacing`` names a handler of the same topic it takes over from."""
        with self._store.transaction():
            if replacing is not None:
                self.delete_handler(spec.topic, replacing)
            self._conn.execute(
                "INSERT OR REPLACE INTO topic_handlers (topic, id, kind, options, match)"
                " VALUES (?, ?, ?, ?, ?)",
                (spec.topic, spec.id, spec.kind, json.dumps(spec.options), spec.match),
            )

    def delete_handler(self, topic: str, handler_id: str) -> None:
        self._conn.execute("DELETE FROM topic_handlers WHERE topic = ? AND id = ?", (topic, handler_id))
