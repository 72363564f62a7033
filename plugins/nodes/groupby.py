"""``|groupBy()``: regroups the data by tags, all tags (``*``) or none.

On a stream each point moves to its new group. On a batch edge the points of all
batches that share a time are regrouped into new batches, which are emitted when a
batch with another time (or a barrier) arrives, as Kapacitor does::

    stream
        |from()
            .measurement('cpu')
        |groupBy(*)
            .exclude('cpu')
            .byMeasurement()
        |window()
            .period(1m)
            .every(1m)
"""

from __future__ import annotations

from operator import attrgetter

from leyden.kernel import (
    Barrier,
    Batch,
    Chunk,
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

from ._chunks import only_points
from ._grouping import Grouper, tag_arguments

_by_name = attrgetter("dims.by_name")


class GroupByNode(Node):
    """Regroups points, or the points of same-time batches; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        names, star = tag_arguments(ctx.args)
        exclude = tuple(name for call in ctx.calls("exclude") for name in tag_arguments(call)[0])
        names = tuple(n for n in names if n not in exclude)
        by_name = ctx.flag("byMeasurement")
        self.grouper = Grouper(names, all_tags=star, exclude=exclude, by_name=by_name)
        # Kapacitor keeps grouping by measurement when the input already does.
        self.grouper_by_name = (
            self.grouper if by_name else Grouper(names, all_tags=star, exclude=exclude, by_name=True)
        )
        self.pending: dict[GroupID, Batch] = {}
        self.pending_time: int | None = None

    def cardinality(self) -> int:
        return len(self.pending)

    def process(self, chunk: Chunk) -> Chunk:
        if only_points(chunk) and not any(map(_by_name, chunk)):
            return self.grouper.regroup_all(chunk)  # type: ignore[arg-type,return-value]
        out: list[Message] = []
        regroup = self.grouper.regroup
        regroup_by_name = self.grouper_by_name.regroup
        for msg in chunk:
            kind = type(msg)
            if kind is Point:
                out.append(regroup_by_name(msg) if msg.dims.by_name else regroup(msg))  # type: ignore[arg-type]
            elif kind is Batch:
                self._collect(msg, out)  # type: ignore[arg-type]
            elif kind is Barrier:
                self._flush(msg.time, out)  # type: ignore[union-attr]
                out.append(msg)
            else:
                out.append(msg)
        return out

    def _collect(self, b: Batch, out: list[Message]) -> None:
        self._flush(b.tmax, out)
        grouper = self.grouper_by_name if b.dims.by_name else self.grouper
        pending = self.pending
        for p in b.points:
            dims, group_id = grouper.dimensions(p.tags)
            gid = group_id(b.name, p.tags)
            target = pending.get(gid)
            if target is None:
                target = pending[gid] = Batch(
                    b.name, dims.group_tags(p.tags), [], b.tmax, group=gid, dims=dims
                )
            target.points.append(p)

    def _flush(self, t: int, out: list[Message]) -> None:
        """Emit the regrouped batches once time moves past theirs."""
        if t == self.pending_time:
            return
        self.pending_time = t
        for batch in self.pending.values():
            batch.points.sort(key=_time_of)
            out.append(batch)
        self.pending = {}


def _time_of(p: Point) -> int:
    return p.time


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="groupBy",
            kind="groupby",
            factory=GroupByNode,
            args=params((V.STRING, V.STAR, V.LIST), variadic=True),
            properties={
                "byMeasurement": PropertySpec("byMeasurement", doc="Also group by measurement name."),
                "exclude": PropertySpec(
                    "exclude",
                    params(V.STRING, variadic=True),
                    repeatable=True,
                    doc="Tags left out of groupBy(*).",
                ),
            },
            doc=__doc__ or "",
        )
    ]
