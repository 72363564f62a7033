"""``|stats(interval)``: how much data a node has emitted, as a stream of points.

Every ``interval`` of wall time the node emits, for each group its parent has
emitted data for, a point ``stats`` with the field ``emitted`` (points so far; a
batch counts its points) and the group's tags. Before any data it emits one
ungrouped point with ``emitted=0``. With ``.align()`` the ticks fall on multiples
of the interval. This is what ``deadman`` watches::

    var data = stream
        |from()
            .measurement('cpu')
    data
        |stats(10s)
            .align()
        |derivative('emitted')
            .unit(10s)
            .nonNegative()
        |alert()
            .crit(lambda: "emitted" <= 100.0)

The node is a child of the node it watches and counts what reaches it, which is
exactly what its parent emitted. Wall time is the kernel's clock.
"""

from __future__ import annotations

import trio

from leyden.kernel import (
    NIL_GROUP,
    NO_DIMENSIONS,
    AsyncNode,
    Batch,
    Chunk,
    Dimensions,
    EdgeType,
    Emit,
    GroupID,
    Message,
    NodeContext,
    NodeSpec,
    Point,
    PropertySpec,
    ValueType,
    hookimpl,
    params,
)

from ._gotime import round_half_up, truncate


class _GroupCount:
    __slots__ = ("dims", "emitted", "tags")

    def __init__(self, tags: dict[str, str], dims: Dimensions) -> None:
        self.tags = tags
        self.dims = dims
        self.emitted = 0


class StatsNode(AsyncNode):
    """Counts its parent's output per group and reports it on the wall clock."""

    def __init__(self, ctx: NodeContext) -> None:
        self.interval: int = ctx.args[0]
        if self.interval <= 0:
            raise ValueError("stats interval must be greater than zero")
        self.align = ctx.flag("align")
        self.clock = ctx.clock
        self.counts: dict[GroupID, _GroupCount] = {}

    def cardinality(self) -> int:
        return len(self.counts)

    async def run(self, inbox: trio.MemoryReceiveChannel[tuple[int, Chunk]], emit: Emit) -> None:
        clock, interval = self.clock, self.interval
        now = clock.now_ns()
        tick = truncate(now, interval) + interval if self.align else now + interval
        while True:
            with trio.move_on_after(max(0, tick - clock.now_ns()) / 1e9):
                async for _src, chunk in inbox:
                    self.count(chunk)
                return  # the inbox was closed: the task is ending
            await emit(self.report(round_half_up(tick, interval) if self.align else tick))
            tick += interval

    def count(self, chunk: Chunk) -> None:
        counts = self.counts
        for msg in chunk:
            kind = type(msg)
            if kind is Point or kind is Batch:
                entry = counts.get(msg.group)
                if entry is None:
                    entry = counts[msg.group] = _GroupCount(_group_tags(msg), msg.dims)  # type: ignore[union-attr]
                entry.emitted += len(msg.points) if kind is Batch else 1  # type: ignore[union-attr]

    def report(self, t: int) -> list[Message]:
        if not self.counts:
            return [Point("stats", {}, {"emitted": 0}, t, group=NIL_GROUP, dims=NO_DIMENSIONS)]
        return [
            Point("stats", c.tags, {"emitted": c.emitted}, t, group=gid, dims=c.dims)
            for gid, c in self.counts.items()
        ]


def _group_tags(msg: Point | Batch) -> dict[str, str]:
    if type(msg) is Batch:
        return msg.tags
    return msg.dims.group_tags(msg.tags)


SPEC = NodeSpec(
    name="stats",
    kind="stats",
    factory=StatsNode,
    args=params(ValueType.DURATION),
    properties={
        "align": PropertySpec("align", params(ValueType.BOOL, min_args=0), doc="Tick on interval multiples."),
    },
    provides=EdgeType.STREAM,
    doc="Emits the number of points its parent emitted, per group, on the wall clock.",
)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [SPEC]
