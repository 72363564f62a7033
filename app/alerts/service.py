"""The alert service: topics, their events and handlers, and what survives a restart.

Alert nodes hand every event to :meth:`AlertService.publish` (it is the kernel's
``alerts`` service). Publishing never waits: it records the event as its topic's
latest state for that alert id, marks it for the store and offers it to the topic's
handlers, whose workers run in the service's nursery. Marked events are written in
one transaction shortly after (and when the service stops), so a burst of alerts
costs one write, not one per event. When a task restarts, its alert node asks
:meth:`event_state` for the level its alerts had, so an alert that was CRITICAL
before a restart is not announced again as new.

Run it with ``service = await nursery.start(AlertService(...).run)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import trio

from leyden.kernel import PluginRegistry
from leyden.plugins.alerts import AlertEvent, Inhibitors, Level

from ..storage import Store
from .handlers import TopicHandler, build_handler
from .spec import HandlerSpec, SpecError
from .store import AlertStore
from .topics import TASK_MASTER, Topic, first_triggered, pattern_match

log = logging.getLogger("leyden.alerts")

#: Seconds between the first unsaved event and the write that saves it (and those after it).
FLUSH_DELAY = 0.5


class HandlerExists(SpecError):
    """A handler with that id is already defined on the topic."""


class AlertService:
    """Topics and topic handlers of one server."""

    def __init__(
        self, plugins: PluginRegistry, store: Store, sections: Callable[[], Mapping[str, Any]]
    ) -> None:
        self.plugins = plugins
        #: The server configuration's sections, read when a handler is built.
        self.sections = sections
        self.store = AlertStore(store)
        self.topics: dict[str, Topic] = {}
        self.handlers: dict[str, dict[str, TopicHandler]] = {}
        #: Inhibitions are per server (alert nodes look for ``inhibitors`` here).
        self.inhibitors = Inhibitors()
        self._unsaved: set[tuple[str, str]] = set()
        self._wake_flusher = trio.Event()
        self._nursery: trio.Nursery | None = None

    # -- running ------------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[AlertService] = trio.TASK_STATUS_IGNORED) -> None:
        """Restore topics and handlers from the store, then serve until cancelled."""
        for topic_id, event in self.store.events():
            self._topic(topic_id).events[event.id] = event
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                for spec in self.store.handlers():
                    try:
                        self._start(self._build(spec))
                    except SpecError as err:
                        log.error("topic %s: cannot load handler %s: %s", spec.topic, spec.id, err)
                nursery.start_soon(self._flush_soon)
                task_status.started(self)
        finally:
            self._nursery = None
            self.flush()

    async def _flush_soon(self) -> None:
        while True:
            await self._wake_flusher.wait()
            await trio.sleep(FLUSH_DELAY)
            self._wake_flusher = trio.Event()
            self.flush()

    def flush(self) -> None:
        """Write the events published since the last write."""
        if not self._unsaved:
            return
        unsaved, self._unsaved = self._unsaved, set()
        changed, removed = [], []
        for topic_id, event_id in unsaved:
            topic = self.topics.get(topic_id)
            event = topic.events.get(event_id) if topic is not None else None
            if event is None:
                removed.append((topic_id, event_id))
            else:
                changed.append((topic_id, event))
        try:
            self.store.write_events(changed, removed)
        except Exception:
            log.exception("cannot save %d alert events; they will be tried again", len(unsaved))
            self._unsaved |= unsaved

    # -- what alert nodes call ----------------------------------------------------------

    def publish(self, topic_id: str, event: AlertEvent) -> None:
        """Collect ``event`` into its topic and offer it to the topic's handlers. The
        event's previous level becomes the topic's previous state of that alert."""
        topic = self.topics.get(topic_id) or self._topic(topic_id)
        event = self._keep(topic, event)
        topic.collected += 1
        handlers = self.handlers.get(topic_id)
        if handlers:
            for handler in handlers.values():
                handler.offer(event)

    def record(self, topic_id: str, events: list[AlertEvent], collected: int) -> None:
        """Keep ``events`` as their alerts' latest state in the topic, delivering them
        to no handler: an alert node whose own handlers are full publishes only the
        latest of each alert's ``collected`` events (and only when the topic has no
        handlers, see :meth:`has_handlers`)."""
        topic = self.topics.get(topic_id) or self._topic(topic_id)
        for event in events:
            self._keep(topic, event)
        topic.collected += collected

    def _keep(self, topic: Topic, event: AlertEvent) -> AlertEvent:
        """Store ``event`` as its alert's state (to be saved soon), its previous level
        the one the topic held."""
        previous = topic.events.get(event.id)
        previous_level = Level.OK if previous is None else previous.level
        if event.previous_level != previous_level:
            event = event.replace(previous_level=previous_level)
        topic.events[event.id] = event
        self._unsaved.add((topic.id, event.id))
        if not self._wake_flusher.is_set():
            self._wake_flusher.set()
        return event

    def has_handlers(self, topic_id: str) -> bool:
        """Whether handlers are defined on the topic (so it wants every event)."""
        return bool(self.handlers.get(topic_id))

    def event_state(self, topic_id: str, alert_id: str) -> tuple[Level, int] | None:
        """The level of an alert in a topic and when it left OK, or None if unknown."""
        topic = self.topics.get(topic_id)
        event = topic.events.get(alert_id) if topic is not None else None
        if event is None:
            return None
        return event.level, first_triggered(event)

    # -- topics -------------------------------------------------------------------------

    def _topic(self, topic_id: str) -> Topic:
        topic = self.topics.get(topic_id)
        if topic is None:
            topic = self.topics[topic_id] = Topic(topic_id)
        return topic

    def list_topics(self, pattern: str = "", min_level: Level = Level.OK) -> list[Topic]:
        """Topics whose id matches ``pattern`` and whose level is ``min_level`` or more, by id."""
        return [
            t for _, t in sorted(self.topics.items()) if pattern_match(pattern, t.id) and t.level >= min_level
        ]

    def delete_topic(self, topic_id: str) -> None:
        """Forget a topic's events; its handlers stay and see the topic's next events."""
        self.topics.pop(topic_id, None)
        self._unsaved = {key for key in self._unsaved if key[0] != topic_id}
        self.store.delete_topic(topic_id)
        if topic_id in self.handlers:
            self._topic(topic_id)

    def delete_task_topics(self, task_id: str) -> None:
        """A task was deleted: forget its anonymous topics (``main:<task>:<node>``, where
        the alert nodes with handlers of their own publish) as Kapacitor does. Topics the
        task published to by name (``.topic()``) belong to no task and stay."""
        prefix = f"{TASK_MASTER}:{task_id}:"
        for topic_id in [topic_id for topic_id in self.topics if topic_id.startswith(prefix)]:
            self.delete_topic(topic_id)

    # -- handlers -----------------------------------------------------------------------

    def handler_specs(self, topic_id: str, pattern: str = "") -> list[HandlerSpec]:
        handlers = self.handlers.get(topic_id, {})
        return [h.spec for hid, h in sorted(handlers.items()) if pattern_match(pattern, hid)]

    def handler_spec(self, topic_id: str, handler_id: str) -> HandlerSpec | None:
        handler = self.handlers.get(topic_id, {}).get(handler_id)
        return None if handler is None else handler.spec

    def create_handler(self, spec: HandlerSpec) -> None:
        """Define a new handler; raises :class:`SpecError` (:class:`HandlerExists`)."""
        handler = self._build(spec)
        if spec.id in self.handlers.get(spec.topic, {}):
            raise HandlerExists(f"cannot register handler, handler with ID {spec.id!r} already exists")
        self.store.put_handler(spec)
        self._start(handler)

    def replace_handler(self, old_id: str, spec: HandlerSpec) -> None:
        """Replace handler ``old_id`` of ``spec.topic`` by ``spec`` (whose id may differ)."""
        handler = self._build(spec)
        handlers = self.handlers.get(spec.topic, {})
        if spec.id != old_id and spec.id in handlers:
            raise HandlerExists(f"cannot rename handler, handler with ID {spec.id!r} already exists")
        self.store.put_handler(spec, replacing=old_id if spec.id != old_id else None)
        self._stop(spec.topic, old_id)
        self._start(handler)

    def delete_handler(self, topic_id: str, handler_id: str) -> None:
        self.store.delete_handler(topic_id, handler_id)
        self._stop(topic_id, handler_id)

    def _build(self, spec: HandlerSpec) -> TopicHandler:
        return build_handler(spec, plugins=self.plugins, sections=self.sections(), collector=self)

    def _start(self, handler: TopicHandler) -> None:
        if self._nursery is None:
            raise RuntimeError("the alert service is not running")
        spec = handler.spec
        self.handlers.setdefault(spec.topic, {})[spec.id] = handler
        self._topic(spec.topic)
        self._nursery.start_soon(handler.run)

    def _stop(self, topic_id: str, handler_id: str) -> None:
        handlers = self.handlers.get(topic_id, {})
        handler = handlers.pop(handler_id, None)
        if handler is not None:
            handler.close()
        if not handlers:
            self.handlers.pop(topic_id, None)
