"""``|stateDuration(lambda)`` and ``|stateCount(lambda)``: how long, or for how many
points, a group has been in a state.

The lambda says whether a point is in the state. While it is, the node adds the
time since the state began (in ``.unit()``, default one second) or the number of
consecutive points in the state; a point outside the state gets ``-1``::

    stream
        |from()
            .measurement('cpu')
            .groupBy('host')
        |stateDuration(lambda: "usage_idle" <= 10)
            .unit(1m)
            .as('busy_minutes')
        |stateCount(lambda: "usage_idle" <= 10)
            .as('busy_points')

A point whose lambda fails (a missing field, a non-boolean result) is dropped and
counted as an error. On batches the state starts afresh in every batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leyden.kernel import (
    Batch,
    Forward,
    GroupedNode,
    GroupID,
    Message,
    NodeContext,
    NodeSpec,
    Point,
    PointError,
    PropertySpec,
    Receiver,
    ValueType,
    hookimpl,
    params,
)

SECOND = 1_000_000_000


class _DurationTracker:
    """Time in the state, in units; -1.0 outside it."""

    __slots__ = ("start", "unit")

    def __init__(self, unit: int) -> None:
        self.unit = unit
        self.start: int | None = None

    def reset(self) -> None:
        self.start = None

    def track(self, t: int, in_state: bool) -> float:
        if not in_state:
            self.start = None
            return -1.0
        if self.start is None:
            self.start = t
        return (t - self.start) / self.unit


class _CountTracker:
    """Consecutive points in the state; -1 outside it."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def reset(self) -> None:
        self.count = 0

    def track(self, t: int, in_state: bool) -> int:
        if not in_state:
            self.count = 0
            return -1
        self.count += 1
        return self.count


Tracker = _DurationTracker | _CountTracker


class StateTrackingNode(GroupedNode):
    """Adds a state field to every point; the tracker kind makes it a duration or a count."""

    def __init__(self, ctx: NodeContext, new_tracker: Callable[[], Tracker], default_as: str) -> None:
        super().__init__()
        self.predicate = ctx.args[0]
        self.field: str = ctx.prop("as", default_as)
        self.new_tracker = new_tracker

    def new_receiver(self, group: GroupID, first: Message) -> Receiver:
        return _StateGroup(self, self.predicate.evaluator(), self.new_tracker())


class _StateGroup(Receiver):
    def __init__(self, node: StateTrackingNode, predicate: Callable[[Point], Any], tracker: Tracker) -> None:
        self.node = node
        self.predicate = predicate
        self.tracker = tracker

    def point(self, p: Point) -> Forward:
        in_state = self.predicate(p)
        if type(in_state) is not bool:
            raise PointError(f"expression did not evaluate to a boolean: {in_state!r}")
        fields = dict(p.fields)
        fields[self.node.field] = self.tracker.track(p.time, in_state)
        return p.replace(fields=fields)

    def batch(self, b: Batch) -> Forward:
        self.tracker.reset()
        tracked: list[Point] = []
        for p in b.points:
            try:
                tracked.append(self.point(p))  # type: ignore[arg-type]
            except PointError as err:
                self.node.report_error(err)
        return b.replace(points=tracked)


def state_duration(ctx: NodeContext) -> StateTrackingNode:
    unit: int = ctx.prop("unit", SECOND)
    if unit <= 0:
        raise ValueError("stateDuration unit must be greater than zero")
    return StateTrackingNode(ctx, lambda: _DurationTracker(unit), "state_duration")


def state_count(ctx: NodeContext) -> StateTrackingNode:
    return StateTrackingNode(ctx, _CountTracker, "state_count")


_AS = PropertySpec("as", params(ValueType.STRING), doc="Name of the added field.")

SPECS = [
    NodeSpec(
        name="stateDuration",
        kind="state_duration",
        factory=state_duration,
        args=params(ValueType.LAMBDA),
        properties={
            "as": _AS,
            "unit": PropertySpec("unit", params(ValueType.DURATION), doc="Unit of the duration."),
        },
        doc="Adds how long each group has been in a state.",
    ),
    NodeSpec(
        name="stateCount",
        kind="state_count",
        factory=state_count,
        args=params(ValueType.LAMBDA),
        properties={"as": _AS},
        doc="Adds for how many consecutive points each group has been in a state.",
    ),
]


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return SPECS
