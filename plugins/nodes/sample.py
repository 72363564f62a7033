"""``|sample(n)`` or ``|sample(duration)``: thins out a stream.

With a count, the first of every ``n`` points of each group is kept; with a duration,
the points whose time is a multiple of it::

    stream
        |from()
            .measurement('cpu')
        |sample(10)

On a batch edge every batch goes on with its points sampled, the count starting over
with each batch, as Kapacitor 1.5's forwarding receivers do.
"""

from __future__ import annotations

from leyden.kernel import (
    Batch,
    Duration,
    GroupedNode,
    GroupID,
    Message,
    NodeContext,
    NodeSpec,
    Point,
    Receiver,
    hookimpl,
    params,
)
from leyden.kernel import ValueType as V

from ._gotime import truncate


class SampleNode(GroupedNode):
    """Keeps every n-th point per group, or the points on a time grid."""

    def __init__(self, ctx: NodeContext) -> None:
        super().__init__()
        (rate,) = ctx.args
        is_duration = isinstance(rate, Duration)
        self.every = 0 if is_duration else rate
        self.duration = int(rate) if is_duration else 0
        if self.every <= 0 and self.duration <= 0:
            raise ValueError("sample needs a positive count or duration")

    def new_receiver(self, group: GroupID, first: Message) -> Receiver:
        if self.duration:
            return _DurationSample(self.duration)
        return _CountSample(self.every)


class _CountSample(Receiver):
    def __init__(self, every: int) -> None:
        self.every = every
        self.count = 0

    def point(self, p: Point) -> Point | None:
        keep = self.count % self.every == 0
        self.count += 1
        return p if keep else None

    def batch(self, b: Batch) -> Batch:
        return b.replace(points=b.points[:: self.every])


class _DurationSample(Receiver):
    def __init__(self, duration: int) -> None:
        self.duration = duration

    def point(self, p: Point) -> Point | None:
        return p if truncate(p.time, self.duration) == p.time else None

    def batch(self, b: Batch) -> Batch:
        d = self.duration
        return b.replace(points=[p for p in b.points if truncate(p.time, d) == p.time])


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="sample",
            kind="sample",
            factory=SampleNode,
            args=params((V.INT, V.DURATION)),
            doc=__doc__ or "",
        )
    ]
