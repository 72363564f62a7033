"""``|where(lambda)``: keeps the points for which the lambda is true.

Points that fail to evaluate (a missing field, a type mismatch) are dropped and
counted as errors. On a batch edge the batch's points are filtered and the batch
goes on even when none is left, as Kapacitor's empty groups do::

    stream
        |from()
            .measurement('cpu')
        |where(lambda: "host" =~ /^web/ AND "usage" > 90.0)

A stateless lambda filters a whole chunk with one compiled list comprehension; a
stateful one (``count()``, ``sigma()``) keeps its state per group.
"""

from __future__ import annotations

from collections.abc import Callable

from leyden.kernel import (
    Batch,
    Chunk,
    DeleteGroup,
    GroupID,
    Lambda,
    Message,
    Node,
    NodeContext,
    NodeSpec,
    Point,
    hookimpl,
    params,
)
from leyden.kernel import ValueType as V

from ._chunks import only_points

Selector = Callable[[list[Point]], tuple[list[Point], int]]


class WhereNode(Node):
    """Filters points and batch points with a boolean lambda."""

    def __init__(self, ctx: NodeContext) -> None:
        (self.lam,) = ctx.args
        lam: Lambda = self.lam
        self.shared: Selector | None = None if lam.stateful else lam.selector()
        self.selectors: dict[GroupID, Selector] = {}

    def cardinality(self) -> int:
        return len(self.selectors)

    def _selector(self, group: GroupID) -> Selector:
        if self.shared is not None:
            return self.shared
        select = self.selectors.get(group)
        if select is None:
            select = self.selectors[group] = self.lam.selector()
        return select

    def process(self, chunk: Chunk) -> Chunk:
        if self.shared is not None and only_points(chunk):
            kept, errors = self.shared(chunk)  # type: ignore[arg-type]
            if errors:
                self.stats.errors += errors
            return kept  # type: ignore[return-value]
        out: list[Message] = []
        run: list[Point] = []
        for msg in chunk:
            kind = type(msg)
            if kind is Point and self.shared is not None:
                run.append(msg)  # type: ignore[arg-type]
                continue
            if run:
                out.extend(self._filter(self.shared, run))  # type: ignore[arg-type]
                run = []
            if kind is Point:
                out.extend(self._filter(self._selector(msg.group), [msg]))  # type: ignore[list-item]
            elif kind is Batch:
                select = self._selector(msg.group)
                out.append(msg.replace(points=self._filter(select, msg.points)))  # type: ignore[union-attr]
            else:
                if kind is DeleteGroup:
                    self.selectors.pop(msg.group, None)
                out.append(msg)
        if run:
            out.extend(self._filter(self.shared, run))  # type: ignore[arg-type]
        return out

    def _filter(self, select: Selector, points: list[Point]) -> list[Point]:
        kept, errors = select(points)
        if errors:
            self.stats.errors += errors
        return kept


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="where",
            kind="where",
            factory=WhereNode,
            args=params(V.LAMBDA),
            doc=__doc__ or "",
        )
    ]
