"""``|window()``: buffers each group's points and emits them as batches.

A time window emits when a point at or past the window's end arrives (stream time
is data time: nothing else ends a window), covering ``[end - period, end)``; the next
end is computed from that point's time, so quiet gaps never produce empty windows.
Unaligned windows start at the group's first point; ``.align()`` puts the ends on
multiples of ``every``. A count window emits every ``everyCount`` points the last
``periodCount`` points::

    stream
        |from()
            .measurement('cpu')
            .groupBy('host')
        |window()
            .period(5m)
            .every(1m)
            .align()
        |mean('usage')

This is the hot path of most scripts: per point it costs one dict lookup, one time
comparison and one list append.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from leyden.kernel import (
    Barrier,
    Batch,
    Chunk,
    DeleteGroup,
    EdgeType,
    GroupID,
    Message,
    Node,
    NodeContext,
    NodeSpec,
    Point,
    PropertySpec,
    hookimpl,
    params,
)
from leyden.kernel import ValueType as V

from ._gotime import truncate


class _TimeWindow:
    """The buffer and next end of one group's time window."""

    __slots__ = ("align", "dims", "every", "group", "name", "next_emit", "period", "points", "reuse", "tags")

    def __init__(self, node: WindowNode, first: Point) -> None:
        self.name = first.name
        self.group = first.group
        self.dims = first.dims
        self.tags = first.dims.group_tags(first.tags)
        self.period = period = node.period
        self.every = every = node.every
        self.align = node.align
        # Windows that do not overlap never need a point again once emitted.
        self.reuse = every >= period
        self.points: list[Point] = []
        t = first.time
        if node.fill_period:
            self.next_emit = t + period
            if node.align:
                first_full = self.next_emit
                self.next_emit = truncate(self.next_emit, every)
                if self.next_emit <= first_full:
                    self.next_emit += every
        else:
            self.next_emit = truncate(t + every, every) if node.align else t + every

    def emit(self, now: int) -> Batch | None:
        """Close the window ending at ``next_emit`` because time reached ``now``."""
        end = self.next_emit
        points = self.points
        oldest = end - self.period
        start = 0
        for p in points:
            if p.time >= oldest:
                break
            start += 1
        if self.reuse:
            kept = points[start:] if start else points
            self.points = []
        else:
            if start:
                del points[:start]
            kept = points[:]
        nxt = now + self.every
        self.next_emit = truncate(nxt, self.every) if self.align else nxt
        if not kept:
            return None
        return Batch(self.name, self.tags, kept, end, group=self.group, dims=self.dims)

    def emit_each(self, p: Point) -> Batch | None:
        """``every == 0``: every point emits the window ``(t - period, t]``."""
        self.points.append(p)
        if p.time < self.next_emit:
            return None
        return self._emit_ending_at(p.time)

    def barrier(self, t: int) -> Batch | None:
        if t < self.next_emit:
            return None
        if self.every == 0:
            return self._emit_ending_at(t)
        return self.emit(t)

    def _emit_ending_at(self, t: int) -> Batch | None:
        """``every == 0``: the window ``(t - period, t]``, None when it is empty."""
        points = self.points
        oldest = t - self.period
        start = 0
        for q in points:
            if q.time > oldest:
                break
            start += 1
        if start:
            del points[:start]
        self.next_emit = t
        if not points:
            return None
        return Batch(self.name, self.tags, points[:], t, group=self.group, dims=self.dims)


class _CountWindow:
    """The last ``periodCount`` points of one group, emitted every ``everyCount``."""

    __slots__ = ("count", "dims", "every", "group", "name", "next_emit", "points", "tags")

    def __init__(self, node: WindowNode, first: Point) -> None:
        self.name = first.name
        self.group = first.group
        self.dims = first.dims
        self.tags = first.dims.group_tags(first.tags)
        self.points: deque[Point] = deque(maxlen=node.period_count)
        self.every = node.every_count
        self.next_emit = node.period_count if node.fill_period else node.every_count
        self.count = 0

    def insert(self, p: Point) -> Batch | None:
        self.points.append(p)
        self.count += 1
        if self.count != self.next_emit:
            return None
        self.next_emit += self.every
        return Batch(self.name, self.tags, list(self.points), p.time, group=self.group, dims=self.dims)


class WindowNode(Node):
    """Per-group windows over a stream; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        self.period: int = ctx.prop("period", 0)
        self.every: int = ctx.prop("every", 0)
        self.align = ctx.flag("align")
        self.fill_period = ctx.flag("fillPeriod")
        self.period_count: int = ctx.prop("periodCount", 0)
        self.every_count: int = ctx.prop("everyCount", 0)
        if self.period and self.period_count:
            raise ValueError("cannot specify both period and periodCount")
        if not self.period and not self.period_count:
            raise ValueError("window node must have either a non zero period or non zero period count")
        if self.period_count:
            if self.align:
                raise ValueError("can only align windows based off time, not count")
            if self.every_count <= 0:
                raise ValueError("everyCount must be greater than zero")
        if self.period < 0 or self.every < 0:
            raise ValueError("window period and every must not be negative")
        self.windows: dict[GroupID, _TimeWindow | _CountWindow] = {}
        # Count windows and every-point time windows take each point through one call;
        # the usual time window decides inline whether a point closes it (the hot path).
        self._per_point: tuple[type[_TimeWindow | _CountWindow], Callable[[Any, Point], Batch | None]]
        if self.period_count:
            self._per_point = (_CountWindow, _CountWindow.insert)
            self.process = self._process_per_point  # type: ignore[method-assign]
        elif self.every == 0:
            self._per_point = (_TimeWindow, _TimeWindow.emit_each)
            self.process = self._process_per_point  # type: ignore[method-assign]

    def cardinality(self) -> int:
        return len(self.windows)

    def process(self, chunk: Chunk) -> Chunk:
        out: list[Message] = []
        windows: dict[GroupID, _TimeWindow] = self.windows  # type: ignore[assignment]
        get = windows.get
        for msg in chunk:
            if type(msg) is Point:
                w = get(msg.group)
                if w is None:
                    w = windows[msg.group] = _TimeWindow(self, msg)
                if msg.time >= w.next_emit:
                    batch = w.emit(msg.time)
                    if batch is not None:
                        out.append(batch)
                w.points.append(msg)
            else:
                self._control(msg, out)
        return out

    def _process_per_point(self, chunk: Chunk) -> Chunk:
        out: list[Message] = []
        windows = self.windows
        new_window, add = self._per_point
        for msg in chunk:
            if type(msg) is Point:
                w = windows.get(msg.group)
                if w is None:
                    w = windows[msg.group] = new_window(self, msg)
                batch = add(w, msg)
                if batch is not None:
                    out.append(batch)
            else:
                self._control(msg, out)
        return out

    def _control(self, msg: Message, out: list[Message]) -> None:
        """Barriers close a time window whose end they pass; delete-group forgets it."""
        kind = type(msg)
        if kind is Barrier:
            w = self.windows.get(msg.group)
            if isinstance(w, _TimeWindow):
                batch = w.barrier(msg.time)
                if batch is not None:
                    out.append(batch)
            out.append(msg)
        elif kind is DeleteGroup:
            self.windows.pop(msg.group, None)
            out.append(msg)
        else:
            self.stats.errors += 1  # a batch: the checker keeps batch edges away from windows


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="window",
            kind="window",
            factory=WindowNode,
            wants=(EdgeType.STREAM,),
            provides=EdgeType.BATCH,
            properties={
                "period": PropertySpec("period", params(V.DURATION), doc="The time range a window covers."),
                "every": PropertySpec("every", params(V.DURATION), doc="How often a window is emitted."),
                "align": PropertySpec("align", doc="Align window ends on multiples of every."),
                "fillPeriod": PropertySpec("fillPeriod", doc="Wait for a full period before the first emit."),
                "periodCount": PropertySpec("periodCount", params(V.INT), doc="Points per window."),
                "everyCount": PropertySpec("everyCount", params(V.INT), doc="Emit every this many points."),
            },
            doc=__doc__ or "",
        )
    ]
