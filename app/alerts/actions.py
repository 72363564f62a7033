"""Kapacitor's two handler kinds that act on topics instead of calling out.

``aggregate`` collects a topic's events and, every ``interval``, publishes one event
summing them up to another topic; ``publish`` republishes each event to other
topics::

    id: aggr_cpu_10m                     id: publish-cpu
    topic: cpu                           topic: cpu
    kind: aggregate                      kind: publish
    options:                             options:
      interval: 10m                        topics: [system, ops_team]
      topic: aggr_cpu
      message: '{{.Count}} CPU alerts in the last {{.Interval}}'

Both publish through a :class:`Collector` (the alert service), so the events they
make reach the target topics' own handlers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

import trio

from leyden.kernel import PointError
from leyden.plugins.alerts import AlertEvent, DeliveryPolicy, Level, Options
from leyden.tick.gotemplate import GoDuration, GoStruct, Template, TemplateParseError

from .topics import valid_topic_id

log = logging.getLogger("leyden.alerts")

#: Kapacitor's message of an aggregate event when the handler gives none.
DEFAULT_AGGREGATE_MESSAGE = "Received {{ .Count }} events in the last {{.Interval}}."
#: Actions run in-process: there is nothing worth retrying.
IN_PROCESS = DeliveryPolicy(retries=0)


class Collector(Protocol):
    """Where actions publish: the alert service."""

    def publish(self, topic: str, event: AlertEvent) -> None: ...


class AggregateAction:
    """Sums up the events of each ``interval`` into one event on ``topic``.

    The summary's level, time and duration are the highest of the events, its
    details their messages one per line, its data their series; it reaches external
    handlers unless every event it sums up was inhibited.
    """

    policy = IN_PROCESS

    def __init__(self, handler_id: str, options: Mapping[str, Any], collector: Collector) -> None:
        opts = Options("aggregate", options, {"interval", "topic", "message", "id"})
        self.interval = opts.duration("interval")
        if self.interval <= 0:
            raise ValueError("aggregate: option 'interval' must be a positive duration (e.g. 5m)")
        self.topic = opts.str("topic") or ""
        if not valid_topic_id(self.topic):
            raise ValueError(f"aggregate: option 'topic' must be a valid topic id, not {self.topic!r}")
        self.id = opts.str("id") or handler_id
        text = opts.str("message") or DEFAULT_AGGREGATE_MESSAGE
        try:
            self.message = Template.parse(text, "message")
            self.message.render(self._message_data(0))
        except (TemplateParseError, PointError) as err:
            raise ValueError(f"aggregate: invalid message template: {err}") from None
        self.collector = collector
        self.events: list[AlertEvent] = []

    async def handle(self, event: AlertEvent) -> None:
        self.events.append(event)

    async def run(self) -> None:
        """Publish a summary at the end of every interval that saw events."""
        deadline = trio.current_time()
        while True:
            deadline += self.interval / 1e9
            await trio.sleep_until(deadline)
            if self.events:
                events, self.events = self.events, []
                self.collector.publish(self.topic, self.summary(events))

    def summary(self, events: list[AlertEvent]) -> AlertEvent:
        try:
            message = self.message.render(self._message_data(len(events)))
        except PointError as err:
            log.warning("aggregate handler %s: cannot render its message: %s", self.id, err)
            message = ""
        return AlertEvent(
            id=self.id,
            message=message,
            details="\n".join(e.message for e in events),
            time=max(e.time for e in events),
            duration=max(e.duration for e in events),
            level=max((e.level for e in events), default=Level.OK),
            data={"series": [row for e in events for row in e.data.get("series") or ()]},
            topic=self.topic,
            no_external=all(e.no_external for e in events),
        )

    def _message_data(self, count: int) -> GoStruct:
        return GoStruct("alert.aggregateMessageData", {"Count": count, "Interval": GoDuration(self.interval)})


class PublishAction:
    """Publishes each event to every topic of ``topics`` too."""

    policy = IN_PROCESS

    def __init__(self, own_topic: str, options: Mapping[str, Any], collector: Collector) -> None:
        self.topics = Options("publish", options, {"topics"}).str_list("topics")
        for topic in self.topics:
            if not valid_topic_id(topic):
                raise ValueError(f"publish: {topic!r} is not a valid topic id")
            if topic == own_topic:
                raise ValueError(f"publish: a handler of topic {topic!r} cannot publish to it (a loop)")
        self.collector = collector

    async def handle(self, event: AlertEvent) -> None:
        for topic in self.topics:
            self.collector.publish(topic, event.replace(topic=topic))
