"""The ``|alert()`` node: levels per group, alert events, and their handlers.

::

    stream
        |from()
            .measurement('cpu')
            .groupBy('host')
        |alert()
            .info(lambda: "usage_idle" < 40)
            .warn(lambda: "usage_idle" < 20)
            .crit(lambda: "usage_idle" < 10)
            .critReset(lambda: "usage_idle" > 15)
            .id('cpu/{{ index .Tags "host" }}')
            .message('{{ .ID }} is {{ .Level }}: {{ index .Fields "usage_idle" | printf "%.1f" }}')
            .stateChangesOnly(10m)
            .log('/var/log/cpu_alerts.log')
            .post('https://hooks.example.com/alerts')
        |httpOut('alerts')

Every point (or batch) gets a level: the most severe of ``.crit``, ``.warn``,
``.info`` whose lambda is true, kept up by a ``...Reset`` lambda that is false, or
OK. An event goes out for every non-OK level and for the OK that ends an alert
(a recovery), thinned out by ``.stateChangesOnly()``, ``.flapping()`` and
``.noRecoveries()``. Each event is published to the ``alerts`` service (topics) and
queued for the node's own handlers, which run in tasks of their own: a slow or dead
handler loses its own events (counted) and never stalls the pipeline. The point or
batch behind each event is passed on, with ``.levelTag()``, ``.idField()``... added.

On a batch edge there is one event per batch: its level is the highest any point
reaches (the lowest with ``.all()``), its time and fields those of the first point at
that level, except that OK events and ``.all()`` events take the batch's time.

Services the node uses when the application offers them (all optional):

* ``alerts``: ``publish(topic, event)``, never blocking, gets every event: on the
  ``.topic()`` and, when the node has handlers of its own, on its anonymous topic
  ``main:<task>:<node>`` (for state only: the node delivers to its handlers itself).
  ``event_state(topic, id)`` -> ``(level, time_ns)`` or None resumes an alert's
  level when a group first appears; ``inhibitors`` shares the server's
  :class:`~leyden.plugins.alerts.Inhibitors`.
* ``config``: the server configuration by section, for the handlers.
* ``server_info``: ``{"Hostname": ..., "ClusterID": ..., "ServerID": ...}`` for templates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from time import perf_counter_ns
from typing import Any

import trio

from leyden.kernel import (
    AsyncNode,
    Batch,
    Chunk,
    DeleteGroup,
    EdgeType,
    Emit,
    Forward,
    GroupedNode,
    HandlerConfig,
    Lambda,
    Message,
    NodeContext,
    NodeSpec,
    Point,
    PointError,
    PropertySpec,
    Receiver,
    TaskError,
    TickError,
    ValueType,
    hookimpl,
    params,
)
from leyden.plugins.alerts import (
    DEFAULT_INHIBITORS,
    AlertEvent,
    HandlerQueue,
    Inhibitor,
    Inhibitors,
    Level,
    RateLimitedLog,
)
from leyden.tick.gotemplate import TemplateParseError

from ._alert_render import DEFAULT_DETAILS, DEFAULT_ID, DEFAULT_MESSAGE, AlertTemplates, server_info
from ._alert_state import AlertState

log = logging.getLogger("leyden.alert")

#: Kapacitor's default ``.history()``.
DEFAULT_HISTORY = 21
#: Seconds between two updates of the anonymous topic while the handlers are full.
RECORD_INTERVAL = 0.1
#: Evaluation errors logged per node before it goes quiet about them.
MAX_LOGGED_ERRORS = 10

_LEVEL_PROPS = {Level.INFO: "info", Level.WARNING: "warn", Level.CRITICAL: "crit"}
# Plain module names: an enum member lookup or ``str(level)`` per point costs more
# than the comparison it feeds.
OK, INFO, WARNING, CRITICAL = Level.OK, Level.INFO, Level.WARNING, Level.CRITICAL
LEVEL_NAMES = tuple(str(level) for level in Level)

Evaluator = Callable[[Point], Any]


class AlertNode(AsyncNode):
    """See the module docstring; one per ``|alert()`` (and per ``|deadman()``)."""

    def __init__(self, ctx: NodeContext) -> None:
        self.task_id = ctx.task_id
        self.name = ctx.name
        self.label = f"task {ctx.task_id}, {ctx.name}"
        self.quiet = ctx.flag("quiet")
        self.levels: dict[Level, Lambda] = {}
        self.resets: dict[Level, Lambda] = {}
        for level, prop in _LEVEL_PROPS.items():
            if ctx.properties.get(prop):
                self.levels[level] = ctx.prop(prop)
            if ctx.properties.get(prop + "Reset"):
                self.resets[level] = ctx.prop(prop + "Reset")
        self.id_tag: str = ctx.prop("idTag", "")
        self.id_field: str = ctx.prop("idField", "")
        self.level_tag: str = ctx.prop("levelTag", "")
        self.level_field: str = ctx.prop("levelField", "")
        self.message_field: str = ctx.prop("messageField", "")
        self.duration_field: str = ctx.prop("durationField", "")
        self.all = ctx.flag("all")
        self.no_recoveries = ctx.flag("noRecoveries")
        self.category: str = ctx.prop("category", "")
        self.topic: str = ctx.prop("topic", "")
        self.history = max(int(ctx.prop("history", DEFAULT_HISTORY)), 2)
        #: Whether the passed-on point gets more than its level (which needs the id,
        #: the message or the duration).
        self.augments_with_id = bool(
            self.id_tag or self.id_field or self.message_field or self.duration_field
        )
        self.adds_tags = bool(self.id_tag or self.level_tag)
        self.adds_fields = bool(
            self.id_field or self.level_field or self.message_field or self.duration_field
        )
        self.augments = self.adds_tags or self.adds_fields
        self.state_changes_only, self.max_interval = _state_changes_only(ctx)
        self.flapping = _flapping(ctx)
        self.inhibit = [(c[0], tuple(c[1:])) for c in ctx.calls("inhibit")]
        try:
            self.templates = AlertTemplates(
                ctx.task_id,
                server_info(ctx.service("server_info")),
                ctx.prop("id", DEFAULT_ID),
                ctx.prop("message", DEFAULT_MESSAGE),
                ctx.prop("details", DEFAULT_DETAILS),
            )
        except TemplateParseError as err:
            raise ValueError(str(err)) from err  # the kernel adds the node and its position
        self.alerts = ctx.service("alerts")
        self.inhibitors: Inhibitors = getattr(self.alerts, "inhibitors", None) or DEFAULT_INHIBITORS
        self.queues = [
            HandlerQueue(_build_handler(cfg, ctx), f"{self.label}, .{cfg.name}()") for cfg in ctx.handlers
        ]
        # Kapacitor's anonymous topic: the node's own handlers hang on it (and a node
        # without handlers has none, as in Kapacitor)
        self.anon_topic = f"main:{ctx.task_id}:{ctx.name}" if self.queues else ""
        #: Whether events go anywhere (handlers or a topic); if not, none is built.
        self.publishes = bool(self.anon_topic or (self.topic and self.alerts is not None))
        #: Whether every handler queue is full (a dead handler); the queues say when
        #: they have room again. Meanwhile events are not offered to them (those
        #: triggered but not offered are the dropped ones), and unless a topic handler
        #: wants every event (``every_event_wanted``), not even built: the groups
        #: keep the point of their latest event, and every RECORD_INTERVAL the
        #: anonymous topic gets those events (``pending_events`` are not recorded yet).
        self.deaf = False
        self.every_event_wanted = True
        #: What the per-point path does with an event: build it, or (``coalescing``)
        #: keep the alert's latest for the topic; see :meth:`_set_mode`.
        self.builds = self.publishes
        self.coalescing = False
        self.offered = 0
        self.pending_events = 0
        self._log_unheard = RateLimitedLog()
        for queue in self.queues:
            queue.on_room = self._hear
        self.previous: dict[str, Level] = {}
        #: Events triggered, by level (indexed by the level's value).
        self.triggered = [0] * len(Level)
        self.publish_failures = 0
        self.groups = _AlertGroups(self)
        self._owned_inhibitors: list[Inhibitor] = []
        self._logged_errors = 0
        self._logged_publish = False

    # -- running ----------------------------------------------------------------------

    async def run(self, inbox: Any, emit: Emit) -> None:
        groups = self.groups
        groups.stats = self.stats
        stats = self.stats
        try:
            async with trio.open_nursery() as nursery:
                for queue in self.queues:
                    nursery.start_soon(queue.run)
                recorder = trio.CancelScope()
                if self.anon_topic and self.alerts is not None:
                    nursery.start_soon(self._record_periodically, recorder)
                async for _port, chunk in inbox:
                    start = perf_counter_ns()
                    self.every_event_wanted = self._every_event_wanted()
                    self._set_mode()
                    out = groups.process(chunk)
                    stats.exec_ns += perf_counter_ns() - start
                    if self.deaf:
                        self.log_unheard()
                    if out:
                        await emit(out)
                recorder.cancel()
                self._record_pending()
                for queue in self.queues:
                    queue.close()
        finally:
            for inhibitor in self._owned_inhibitors:
                self.inhibitors.remove(inhibitor)
            self._owned_inhibitors.clear()

    def cardinality(self) -> int:
        return len(self.groups.groups)

    def statistics(self) -> dict[str, int]:
        """Kapacitor's per-node alert counters (``alerts_triggered``, ...)."""
        ok, info, warning, critical = self.triggered
        dropped = sum(q.stats.dropped for q in self.queues) + self.unheard() * len(self.queues)
        return {
            "alerts_triggered": ok + info + warning + critical,
            "oks_triggered": ok,
            "infos_triggered": info,
            "warns_triggered": warning,
            "crits_triggered": critical,
            "events_dropped": dropped + self.publish_failures,
        }

    # -- per group ----------------------------------------------------------------------

    def new_group(self, group: str, first: Message) -> _AlertGroup:
        state = AlertState(self.history, flapping=self.flapping, max_interval=self.max_interval)
        inhibitors = []
        tags: Mapping[str, str] = getattr(first, "tags", {})
        for category, names in self.inhibit:
            inhibitor = Inhibitor(category, {n: tags.get(n, "") for n in names})
            self.inhibitors.add(inhibitor)
            self._owned_inhibitors.append(inhibitor)
            inhibitors.append(inhibitor)
        self._restore(state, first)
        return _AlertGroup(self, state, inhibitors)

    def _restore(self, state: AlertState, first: Message) -> None:
        """Resume an alert's level from the topic store, as Kapacitor does on restart."""
        lookup = getattr(self.alerts, "event_state", None)
        if lookup is None or not isinstance(first, Point | Batch):
            return
        try:
            alert_id = self.templates.render_id(first.name, first.group, first.tags)
        except PointError:
            return  # the first event will report it
        found = None
        for topic in (self.anon_topic, self.topic):
            if topic and found is None:
                found = lookup(topic, alert_id)
        if found is None:
            return
        level = Level(found[0])
        if level != OK:
            state.add_event(first.time, level)
            state.triggered(found[1])
            self.previous[alert_id] = level

    def drop_group(self, group: str, inhibitors: list[Inhibitor]) -> None:
        for inhibitor in inhibitors:
            self.inhibitors.remove(inhibitor)
            self._owned_inhibitors.remove(inhibitor)
        self.templates.forget(group)

    # -- events -------------------------------------------------------------------------

    def event(
        self,
        alert_id: str,
        msg: Point | Batch,
        fields: Mapping[str, Any],
        level: Level,
        time: int,
        duration: int,
        previous: Level,
    ) -> AlertEvent:
        """The event, with its message and details rendered when someone reads them."""
        templates = self.templates

        def render() -> tuple[str, str]:
            try:
                return templates.render_message_and_details(
                    alert_id, msg.name, msg.group, msg.tags, fields, level, time, duration
                )
            except PointError as err:
                self.report("the message or details template", err)
                return "", ""

        # positional: keyword arguments cost three times as much, per event
        return AlertEvent(
            alert_id,
            None,
            None,
            time,
            duration,
            level,
            msg,
            previous,
            not self.no_recoveries,
            msg.name,
            self.task_id,
            self.category,
            msg.group,
            msg.tags,
            fields,
            self.anon_topic,
            bool(self.category) and self.inhibitors.is_inhibited(self.category, msg.tags),
            render,
        )

    def _set_mode(self) -> None:
        quiet = self.deaf and not self.every_event_wanted
        self.builds = self.publishes and not quiet
        self.coalescing = quiet and self.alerts is not None

    def _every_event_wanted(self) -> bool:
        """Whether a topic handler wants every event, whatever the node's own
        handlers can take: one of ``.topic()``, or of the anonymous topic. (With
        ``.flapping()`` too: a group's level then says nothing of its last event.)"""
        if self.alerts is None:
            return False
        if self.topic or self.flapping:
            return True
        has_handlers = getattr(self.alerts, "has_handlers", None)
        return has_handlers is None or has_handlers(self.anon_topic)

    async def _record_periodically(self, scope: trio.CancelScope) -> None:
        """Every :data:`RECORD_INTERVAL` seconds, give the topic what is pending."""
        with scope:
            while True:
                await trio.sleep(RECORD_INTERVAL)
                self._record_pending()

    def _record_pending(self) -> None:
        """Give the anonymous topic the latest event of each group that fired while
        the handlers were full, as its state (no handler of the topic wanted them).
        A group's level, times and duration are those of its latest event, unless
        an event was built since (then that one is in the topic already)."""
        if not self.pending_events:
            return
        events = []
        for group in self.groups.groups.values():
            p = group.fired
            if p is None:
                continue
            group.fired = None
            state = group.state
            if p.time == state.last_triggered:
                duration = state.last_triggered - state.first_triggered
                events.append(self.event(group.alert_id(p), p, p.fields, state.level, p.time, duration, OK))
        record = getattr(self.alerts, "record", None)
        if record is not None:
            try:
                record(self.anon_topic, events, self.pending_events)
            except Exception as err:
                self.publish_failures += 1
                log.error("%s: cannot record alerts in topic %s: %s", self.label, self.anon_topic, err)
        self.pending_events = 0

    def unheard(self) -> int:
        """Events not offered to the handlers because every queue was full."""
        return sum(self.triggered) - self.offered if self.queues else 0

    def log_unheard(self) -> None:
        """Say (at most every few seconds) that events are being dropped."""
        self._log_unheard(
            logging.WARNING,
            "%s: every handler queue is full, %d alert events dropped so far",
            self.label,
            self.unheard(),
        )

    def _hear(self) -> None:
        self.deaf = False
        self._set_mode()

    def advance(self, alert_id: str, level: Level) -> Level:
        """Record ``level`` as the alert's latest and return the one before."""
        previous = self.previous.get(alert_id, OK)
        self.previous[alert_id] = level
        return previous

    def handle_event(self, event: AlertEvent) -> None:
        self.triggered[event.level] += 1
        if self.anon_topic:
            if not self.deaf:
                self.offered += 1
                if not event.no_external:
                    self._offer(event)
            self._publish(self.anon_topic, event)
        if self.topic:
            self._publish(self.topic, event.replace(topic=self.topic))

    def _offer(self, event: AlertEvent) -> None:
        full = True
        for queue in self.queues:
            if queue.offer(event) or queue.queued < queue.capacity:
                full = False
        if full:
            self.deaf = True  # logged once the chunk is done
            self._set_mode()

    def _publish(self, topic: str, event: AlertEvent) -> None:
        if self.alerts is None:
            return
        try:
            self.alerts.publish(topic, event)
        except Exception as err:
            self.publish_failures += 1
            if not self._logged_publish:
                self._logged_publish = True
                log.error("%s: cannot publish alert %r to topic %s: %s", self.label, event.id, topic, err)

    def augment_point(
        self, p: Point, level: Level, alert_id: str, duration: int, event: AlertEvent | None
    ) -> Point:
        """The point to pass on, with the configured tags and fields added."""
        if not self.augments:
            return p
        tags = self._augmented_tags(p.tags, level, alert_id) if self.adds_tags else p.tags
        fields_ = p.fields
        if self.adds_fields:
            fields_ = dict(fields_)
            if self.level_field:
                fields_[self.level_field] = LEVEL_NAMES[level]
            if self.message_field:
                fields_[self.message_field] = self._message(p, level, alert_id, duration, event)
            if self.id_field:
                fields_[self.id_field] = alert_id
            if self.duration_field:
                fields_[self.duration_field] = duration
        return Point(p.name, tags, fields_, p.time, p.dbrp, p.group, p.dims)

    def augment_batch(
        self, b: Batch, level: Level, alert_id: str, duration: int, event: AlertEvent | None
    ) -> Batch:
        if not self.augments:
            return b
        points = [self.augment_point(p, level, alert_id, duration, event) for p in b.points]
        tags = self._augmented_tags(b.tags, level, alert_id) if self.adds_tags else b.tags
        return b.replace(points=points, tags=tags)

    def _augmented_tags(self, tags: Mapping[str, str], level: Level, alert_id: str) -> dict[str, str]:
        tags = dict(tags)
        if self.level_tag:
            tags[self.level_tag] = LEVEL_NAMES[level]
        if self.id_tag:
            tags[self.id_tag] = alert_id
        return tags

    def _message(self, p: Point, level: Level, alert_id: str, duration: int, event: AlertEvent | None) -> str:
        """The message of an event; a point that publishes no event renders it here."""
        if event is not None:
            return event.message
        message, _ = self.templates.render_message_and_details(
            alert_id, p.name, p.group, p.tags, p.fields, level, p.time, duration
        )
        return message

    # -- errors -------------------------------------------------------------------------

    def report(self, what: str, err: Exception) -> None:
        """Count a failed level evaluation; log the first few unless ``.quiet()``."""
        self.stats.errors += 1
        if not self.quiet and self._logged_errors < MAX_LOGGED_ERRORS:
            self._logged_errors += 1
            log.warning("%s: error evaluating %s: %s", self.label, what, err)


class _AlertGroups(GroupedNode):
    def __init__(self, node: AlertNode) -> None:
        super().__init__()
        self.node = node
        self.cascade = _cascade(node)
        #: Whether a point at its group's current level forwards nothing and only
        #: needs recording: no flapping ring or maximum interval to keep up, and
        #: repeats suppressed (always for OK, with .stateChangesOnly() for the rest).
        self.skip_repeats = node.flapping is None and not node.max_interval and not node.inhibit

    def new_receiver(self, group: str, first: Message) -> Receiver:
        return self.node.new_group(group, first)

    def process(self, chunk: Chunk) -> Chunk:
        """With no reset lambdas a point's level does not depend on its group's
        state, so a chunk of points is leveled by one fused comprehension first."""
        levels = self.cascade(chunk) if self.cascade is not None else None
        if levels is None:
            return super().process(chunk)
        out: list[Message] = []
        groups = self.groups
        skip_repeats = self.skip_repeats
        state_changes_only = self.node.state_changes_only
        for p, level in zip(chunk, levels, strict=True):
            receiver = groups.get(p.group)
            if receiver is None:
                receiver = groups[p.group] = self.new_receiver(p.group, p)
            state = receiver.state
            if skip_repeats and level == state.level and (state_changes_only or level == OK):
                state.previous = level  # AlertState.add_event, for a repeat
                state.changed = False
                continue
            try:
                result = receiver.leveled(p, level)
            except PointError as err:
                self.report_error(err)
                continue
            if result is not None:
                out.append(result)
        return out


class _AlertGroup(Receiver):
    """One group of an alert node: its state and its own lambda evaluators."""

    __slots__ = ("_id", "_id_name", "_id_tags", "fired", "inhibitors", "levels", "node", "resets", "state")

    def __init__(self, node: AlertNode, state: AlertState, inhibitors: list[Inhibitor]) -> None:
        self.node = node
        self.state = state
        self.inhibitors = inhibitors
        # most severe first, so the first true lambda wins
        self.levels: list[tuple[Level, Evaluator]] = [
            (level, node.levels[level].evaluator()) for level in sorted(node.levels, reverse=True)
        ]
        self.resets: dict[Level, Evaluator] = {lvl: lam.evaluator() for lvl, lam in node.resets.items()}
        self._id = ""
        self._id_name = ""
        self._id_tags: Mapping[str, str] | None = None
        #: The point of the group's latest event that was not built (handlers full).
        self.fired: Point | None = None

    def alert_id(self, p: Point) -> str:
        """The alert id of ``p``, rendered again only when its name or tags differ from
        the previous point's (the points of a series share one tags dict)."""
        tags = p.tags
        if tags is not self._id_tags or p.name != self._id_name:
            self._id = self.node.templates.render_id(p.name, p.group, tags)
            self._id_tags, self._id_name = tags, p.name
        return self._id

    # -- levels -------------------------------------------------------------------------

    def determine_level(self, p: Point, current: Level) -> Level:
        """Kapacitor's rule: a level at or above the current one wins; otherwise the
        current level holds while its reset lambda is false; otherwise the most severe
        lower level that matches, or OK."""
        levels = self.levels  # most severe first
        for level, evaluate in levels:
            if level < current:
                break
            try:  # _test inlined: this loop runs for every point
                value = evaluate(p)
            except PointError as err:
                self.node.report(_lambda_name(level, False), err)
                continue
            if value is True:
                return level
            if value is not False:
                self.node.report(_lambda_name(level, False), PointError(f"not a boolean: {value!r}"))
        if current == OK:
            return OK
        reset = self.resets.get(current)
        if reset is not None and self._test(reset, p, current, reset=True) is False:
            return current
        for level, evaluate in levels:
            if level <= current and self._test(evaluate, p, level):
                return level
        return OK

    def _test(self, evaluate: Evaluator, p: Point, level: Level, reset: bool = False) -> bool | None:
        """A level's (or reset's) lambda on ``p``; None, counted and logged, on error."""
        try:
            value = evaluate(p)
        except PointError as err:
            self.node.report(_lambda_name(level, reset), err)
            return None
        if type(value) is not bool:
            self.node.report(_lambda_name(level, reset), PointError(f"not a boolean: {value!r}"))
            return None
        return value

    def _set_inhibitors(self, level: Level) -> None:
        if self.inhibitors:
            for inhibitor in self.inhibitors:
                inhibitor.active = level != OK

    # -- messages -----------------------------------------------------------------------

    def point(self, p: Point) -> Forward:
        return self.leveled(p, self.determine_level(p, self.state.level))

    def leveled(self, p: Point, level: Level) -> Forward:
        """What ``p`` at ``level`` forwards: nothing, or ``p`` with the alert's tags
        and fields, after the event (if any) went to the topics and handlers."""
        node = self.node
        state = self.state
        if self.inhibitors:
            self._set_inhibitors(level)
        if not state.fires(p.time, level, node.state_changes_only):
            return None
        if node.no_recoveries and level == OK:
            return None
        if not node.augments_with_id and (not node.publishes or node.coalescing):
            # no event is built (none can be heard, or the handlers are full and the
            # topic gets the group's latest later, see AlertNode._record_pending) and
            # the point gets at most its level: the alert id, duration and previous
            # level would be read by no one
            node.triggered[level] += 1
            if node.coalescing:
                self.fired = p
                node.pending_events += 1
            return node.augment_point(p, level, "", 0, None) if node.augments else p
        # the id of the group's previous point, unless the name or tags changed
        same = p.tags is self._id_tags and p.name == self._id_name
        alert_id = self._id if same else self.alert_id(p)
        duration = state.last_triggered - state.first_triggered
        previous_levels = node.previous
        previous = previous_levels.get(alert_id, OK)
        previous_levels[alert_id] = level
        event = None
        if node.builds:
            event = node.event(alert_id, p, p.fields, level, p.time, duration, previous)
            node.handle_event(event)
        else:
            node.triggered[level] += 1
            if node.coalescing:  # every handler queue is full: the topic gets the
                self.fired = p  # group's latest event later
                node.pending_events += 1
        if not node.augments:
            return p
        return node.augment_point(p, level, alert_id, duration, event)

    def batch(self, b: Batch) -> Forward:
        node = self.node
        state = self.state
        alert_id = node.templates.render_id(b.name, b.group, b.tags)
        if not b.points:
            return None
        current = state.level
        lowest = CRITICAL
        highest = OK
        highest_point: Point | None = None
        for p in b.points:
            level = self.determine_level(p, current)
            lowest = min(lowest, level)
            if level > highest or highest_point is None:
                highest, highest_point = level, p
        level = lowest if node.all else highest
        time = b.tmax if node.all or level == OK else highest_point.time
        state.add_event(time, level)
        self._set_inhibitors(level)
        recovery = state.changed and level == OK
        if not recovery and (
            level == OK
            or (node.flapping and state.flapping)
            or (node.state_changes_only and not state.changed and not state.expired)
        ):
            return None
        state.triggered(time)
        if node.no_recoveries and level == OK:
            return None
        duration = state.duration()
        previous = node.advance(alert_id, level)
        event = node.event(alert_id, b, highest_point.fields, level, time, duration, previous)
        node.handle_event(event)
        return node.augment_batch(b, level, alert_id, duration, event)

    def delete_group(self, d: DeleteGroup) -> Forward:
        self.node.drop_group(d.group, self.inhibitors)
        return d


# -- construction -------------------------------------------------------------------------


def _cascade(node: AlertNode) -> Callable[[Chunk], list[Level] | None] | None:
    """The chunk leveler of a node without reset lambdas, most severe level first."""
    if node.resets or not node.levels:
        return None
    levels = sorted(node.levels, reverse=True)
    first, *lower = (node.levels[level] for level in levels)
    return first.cascade(lower, [*levels, OK])


def _lambda_name(level: Level, reset: bool) -> str:
    return _LEVEL_PROPS[level] + ("Reset" if reset else "")


def _state_changes_only(ctx: NodeContext) -> tuple[bool, int]:
    calls = ctx.properties.get("stateChangesOnly")
    if not calls:
        return False, 0
    last = calls[-1]
    if len(last) > 1:
        raise ValueError("stateChangesOnly takes at most one duration (the maximum interval)")
    return True, int(last[0]) if last else 0


def _flapping(ctx: NodeContext) -> tuple[float, float] | None:
    calls = ctx.properties.get("flapping")
    if not calls:
        return None
    low, high = (float(v) for v in calls[-1])
    if not (0 <= low <= 1 and 0 <= high <= 1):
        raise ValueError("alert flap thresholds are percentages and should be between 0 and 1")
    return low, high


def _build_handler(cfg: HandlerConfig, ctx: NodeContext) -> Any:
    """A handler from its script form, through the same options path as topic handlers."""
    spec = cfg.spec
    if spec is None:
        registry = ctx.service("plugins")
        spec = getattr(registry, "handlers", {}).get(cfg.name)
    if spec is None:
        raise TaskError(f"{ctx.name}: no alert handler named .{cfg.name}() is loaded")
    try:
        return spec.build(spec.options_from_script(cfg), ctx.service("config"))
    except (ValueError, TemplateParseError) as err:
        raise TickError(str(err), *cfg.pos) from err


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    V = ValueType
    string = params(V.STRING)
    props = [
        PropertySpec("info", params(V.LAMBDA), doc="Condition of the INFO level."),
        PropertySpec("warn", params(V.LAMBDA), doc="Condition of the WARNING level."),
        PropertySpec("crit", params(V.LAMBDA), doc="Condition of the CRITICAL level."),
        PropertySpec("infoReset", params(V.LAMBDA), doc="INFO holds until this is true."),
        PropertySpec("warnReset", params(V.LAMBDA), doc="WARNING holds until this is true."),
        PropertySpec("critReset", params(V.LAMBDA), doc="CRITICAL holds until this is true."),
        PropertySpec("id", string, doc="Template of the alert id."),
        PropertySpec("message", string, doc="Template of the alert message."),
        PropertySpec("details", string, doc="HTML template of the alert details."),
        PropertySpec("idTag", string, doc="Tag to add holding the alert id."),
        PropertySpec("idField", string, doc="Field to add holding the alert id."),
        PropertySpec("levelTag", string, doc="Tag to add holding the level."),
        PropertySpec("levelField", string, doc="Field to add holding the level."),
        PropertySpec("messageField", string, doc="Field to add holding the message."),
        PropertySpec("durationField", string, doc="Field to add holding the duration (ns)."),
        PropertySpec(
            "stateChangesOnly",
            params(V.DURATION, variadic=True),
            doc="Only send events on level changes (or after this interval).",
        ),
        PropertySpec("flapping", params(V.FLOAT, V.FLOAT), doc="Suppress events while flapping (low, high)."),
        PropertySpec("history", params(V.INT), doc="Levels remembered for flapping (default 21)."),
        PropertySpec("noRecoveries", doc="Do not send OK events."),
        PropertySpec("all", doc="Batch level is the lowest of all points, not the highest."),
        PropertySpec(
            "inhibit",
            params(V.STRING, V.STRING, variadic=True),
            repeatable=True,
            doc="Inhibit alerts of a category with equal tags while not OK.",
        ),
        PropertySpec("category", string, doc="Category for inhibition."),
        PropertySpec("topic", string, doc="Topic to publish events to."),
        PropertySpec("quiet", doc="Do not log evaluation errors."),
    ]
    return [
        NodeSpec(
            name="alert",
            kind="alert",
            factory=AlertNode,
            properties={p.name: p for p in props},
            wants=(EdgeType.STREAM, EdgeType.BATCH),
            handlers=True,
            doc="Raise alerts on conditions, with levels, state tracking and handlers.",
        )
    ]
