"""``|from()``: selects the points of a stream task and puts them into groups.

Points are kept when they come from the given database and retention policy, have
the given measurement and pass the ``where`` lambda (all optional); then their times
are truncated or rounded, and they are grouped::

    stream
        |from()
            .database('telegraf')
            .retentionPolicy('autogen')
            .measurement('cpu')
            .where(lambda: "cpu" == 'cpu-total')
            .groupBy('host')
            .truncate(1s)

Filtering runs as one list comprehension per chunk; grouping reuses cached group
ids, so ``from`` adds little per point.
"""

from __future__ import annotations

from collections.abc import Callable

from leyden.kernel import (
    Chunk,
    EdgeType,
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

from ._chunks import map_point_runs, only_points
from ._gotime import round_half_up, truncate
from ._grouping import Grouper, tag_arguments


def _matcher(database: str, retention: str, measurement: str) -> Callable[[list[Point]], list[Point]] | None:
    """The list filter for the dbrp and measurement conditions, None when there are none."""
    if not database and not retention:
        if not measurement:
            return None
        return lambda points: [p for p in points if p.name == measurement]

    def match(p: Point) -> bool:
        dbrp = p.dbrp
        if dbrp is None:
            return False
        return (
            (not database or dbrp[0] == database)
            and (not retention or dbrp[1] == retention)
            and (not measurement or p.name == measurement)
        )

    return lambda points: [p for p in points if match(p)]


class FromNode(Node):
    """Filters, re-times and groups stream points; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        self.match = _matcher(
            ctx.prop("database", ""), ctx.prop("retentionPolicy", ""), ctx.prop("measurement", "")
        )
        where = ctx.prop("where")
        self.select = where.selector() if where is not None else None
        self.truncate: int = ctx.prop("truncate", 0)
        self.round: int = ctx.prop("round", 0)
        names: list[str] = []
        star = False
        for call in ctx.calls("groupBy"):
            call_names, call_star = tag_arguments(call)
            names = list(call_names)  # the last groupBy call wins, as in Kapacitor
            star = call_star
        self.grouper = Grouper(tuple(names), all_tags=star, by_name=ctx.flag("groupByMeasurement"))

    def process(self, chunk: Chunk) -> Chunk:
        if only_points(chunk):
            return self._points(chunk)  # type: ignore[arg-type]
        return map_point_runs(chunk, self._points)

    def _points(self, points: list[Point]) -> list[Message]:
        if self.match is not None:
            points = self.match(points)
        if self.select is not None and points:
            points, errors = self.select(points)
            if errors:
                self.stats.errors += errors
        if self.truncate:
            d = self.truncate
            points = [p.replace(time=truncate(p.time, d)) for p in points]
        if self.round:
            d = self.round
            points = [p.replace(time=round_half_up(p.time, d)) for p in points]
        if not self.grouper.is_nil:
            points = self.grouper.regroup_all(points)
        return points  # type: ignore[return-value]


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="from",
            kind="from",
            factory=FromNode,
            wants=(EdgeType.STREAM,),
            provides=EdgeType.STREAM,
            properties={
                "database": PropertySpec("database", params(V.STRING), doc="Only points of this database."),
                "retentionPolicy": PropertySpec(
                    "retentionPolicy", params(V.STRING), doc="Only points of this retention policy."
                ),
                "measurement": PropertySpec(
                    "measurement", params(V.STRING), doc="Only points of this measurement."
                ),
                "where": PropertySpec("where", params(V.LAMBDA), doc="Only points for which this is true."),
                "groupBy": PropertySpec(
                    "groupBy",
                    params((V.STRING, V.STAR, V.LIST), variadic=True),
                    doc="Group by these tags, or all tags with *.",
                ),
                "groupByMeasurement": PropertySpec(
                    "groupByMeasurement", doc="Also group by measurement name."
                ),
                "truncate": PropertySpec(
                    "truncate", params(V.DURATION), doc="Truncate point times to this precision."
                ),
                "round": PropertySpec("round", params(V.DURATION), doc="Round point times to this unit."),
            },
            doc=__doc__ or "",
        )
    ]
