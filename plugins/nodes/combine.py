"""``|combine()``: join a stream with itself, pairing points of the same time.

The points of a group that share a (rounded) time are combined in every
order-independent way, one point per lambda; each lambda says which points may
take its place. Fields and non-group tags are prefixed with the ``.as()`` names::

    stream
        |from()
            .measurement('request_latency')
        |combine(lambda: "service" == 'login', lambda: TRUE)
            .as('login', 'other')
            .tolerance(1s)
        |eval(lambda: "login.value" / "other.value")
            .as('ratio')

A set of points is combined when the first point of a later time arrives (for
batches, also at the end of each batch). More combinations than ``.max()`` (default
one million) stop the task with an error, as in Kapacitor.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from math import comb
from typing import Any

from leyden.kernel import (
    NO_DIMENSIONS,
    Batch,
    Dimensions,
    EdgeType,
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

from ._gotime import round_half_up

DEFAULT_MAX_COMBINATIONS = 1_000_000


class CombineNode(GroupedNode):
    """Combines the points of each group; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        super().__init__()
        self.lambdas = list(ctx.args)
        calls = ctx.calls("as")
        self.names = [str(n) for n in calls[-1]] if calls else []
        self.delimiter: str = ctx.prop("delimiter", ".")
        _check_names(self.names, len(self.lambdas), self.delimiter)
        self.prefixes = [name + self.delimiter for name in self.names]
        self.tolerance: int = ctx.prop("tolerance", 0)
        self.max: int = ctx.prop("max", DEFAULT_MAX_COMBINATIONS)

    def new_receiver(self, group: GroupID, first: Message) -> Receiver:
        return _CombineBuffer(self, group, first)


class _CombineBuffer(Receiver):
    """The points of one group at the current time, and that group's lambda state."""

    def __init__(self, node: CombineNode, group: GroupID, first: Message) -> None:
        self.node = node
        self.group = group
        # a group may start with a barrier: then its first point names it
        self.name: str | None = getattr(first, "name", None)
        self.dims: Dimensions = getattr(first, "dims", NO_DIMENSIONS)
        self.predicates: list[Callable[[Point], Any]] = [lam.evaluator() for lam in node.lambdas]
        self.time: int | None = None
        self.points: list[Point] = []

    def point(self, p: Point) -> Forward:
        if self.name is None:
            self.name, self.dims = p.name, p.dims
        out: list[Message] = []
        self._add(p, out)
        return out

    def batch(self, b: Batch) -> Forward:
        self.name, self.dims = b.name, b.dims
        self.time = None
        out: list[Message] = []
        for p in b.points:
            self._add(p, out)
        self._combine(out)
        self.points = []
        return out

    def _add(self, p: Point, out: list[Message]) -> None:
        t = round_half_up(p.time, self.node.tolerance)
        if t != self.time:
            self._combine(out)
            self.time = t
            self.points = []
        self.points.append(p)

    def _combine(self, out: list[Message]) -> None:
        """Emit every valid combination of the buffered points, in Kapacitor's order."""
        points, node = self.points, self.node
        k = len(self.predicates)
        if not points or len(points) < k:
            return
        count = comb(len(points), k)
        if count > node.max:
            raise RuntimeError(
                f"refusing to perform combination as total combinations {count} "
                f"exceeds max combinations {node.max}"
            )
        matches = [[self._matches(pred, p) for p in points] for pred in self.predicates]
        dims = set(self.dims.tag_names)
        for indices in combinations(range(len(points)), k):
            remaining = list(indices)
            chosen: list[Point] = []
            for matched in matches:
                pick = next((i for i in remaining if matched[i]), None)
                if pick is None:
                    break
                remaining.remove(pick)
                chosen.append(points[pick])
            else:
                out.append(self._merge(chosen, dims))

    def _matches(self, predicate: Callable[[Point], Any], p: Point) -> bool:
        try:
            return predicate(p) is True
        except PointError as err:
            self.node.report_error(err)
            return False

    def _merge(self, chosen: list[Point], dims: set[str]) -> Point:
        fields: dict[str, Any] = {}
        tags: dict[str, str] = {}
        for prefix, p in zip(self.node.prefixes, chosen, strict=True):
            for key, value in p.fields.items():
                fields[prefix + key] = value
            for key, value in p.tags.items():
                tags[key if key in dims else prefix + key] = value
        time = round_half_up(chosen[0].time, self.node.tolerance)
        return Point(self.name or "", tags, fields, time, group=self.group, dims=self.dims)


def _check_names(names: list[str], lambdas: int, delimiter: str) -> None:
    if not names:
        raise ValueError("a call to combine.as() is required to specify the output stream prefixes.")
    if len(names) != lambdas:
        raise ValueError(
            "number of prefixes specified by combine.as() must match the number of combine expressions"
        )
    for name in names:
        if not name:
            raise ValueError("must provide a prefix name for the combine node, see .as() property method")
        if delimiter in name:
            raise ValueError(
                f"cannot use name {name} as field prefix, it contains the delimiter character {delimiter}"
            )
    if len(set(names)) != len(names):
        raise ValueError("cannot use the same prefix name see .as() property method")


SPEC = NodeSpec(
    name="combine",
    kind="combine",
    factory=CombineNode,
    args=params(ValueType.LAMBDA, variadic=True, min_args=1),
    properties={
        "as": PropertySpec("as", params(ValueType.STRING, variadic=True, min_args=1), doc="Prefixes."),
        "delimiter": PropertySpec("delimiter", params(ValueType.STRING), doc="Between prefix and name."),
        "tolerance": PropertySpec("tolerance", params(ValueType.DURATION), doc="Round times to this."),
        "max": PropertySpec("max", params(ValueType.INT), doc="Most combinations allowed per time."),
    },
    provides=EdgeType.STREAM,
    doc="Combines the points of a stream with each other.",
)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [SPEC]
