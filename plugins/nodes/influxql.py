"""The InfluxQL function nodes: ``|count()``, ``|mean()``, ``|max()``, ``|top()``, ...

Each reduces one field per group, as Kapacitor 1.5 does:

* on a batch edge, aggregates and selectors reduce each batch to one point at the
  batch's time (``.usePointTimes()`` gives selectors the selected point's time);
* on a stream edge they reduce the points that share a timestamp, emitting when a
  point with another time arrives;
* ``top``, ``bottom``, ``distinct`` and ``holtWinters`` emit a batch of points;
* the transformations ``difference``, ``cumulativeSum``, ``movingAverage`` and
  ``elapsed`` emit one point per input point (starting over with every batch).

Selectors (``first``, ``last``, ``min``, ``max``, ``percentile``) keep the selected
point's other fields and tags; the others keep only the group's tags::

    stream
        |from()
            .measurement('cpu')
            .groupBy('host')
        |window()
            .period(1m)
            .every(1m)
        |percentile('usage', 95.0)
            .as('p95')
            .usePointTimes()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from leyden.kernel import (
    NIL_GROUP,
    Batch,
    Dimensions,
    EdgeType,
    GroupedNode,
    GroupID,
    Message,
    NodeContext,
    NodeSpec,
    Params,
    Point,
    PointError,
    PropertySpec,
    Receiver,
    hookimpl,
    params,
)
from leyden.kernel import ValueType as V

from . import _reducers as r

#: A function's arguments (after the field) and the value type to a reducer.
MakeReducer = Callable[[tuple[Any, ...], type], r.Reduce]
MakeTransformation = Callable[[tuple[Any, ...], type], r.Transformation]


@dataclass(frozen=True)
class InfluxQLFunction:
    """What one InfluxQL chaining method computes and how its result travels.

    ``provides`` is the output edge (None: the input's, for transformations);
    ``selector`` keeps the selected point's fields and tags; ``empty_ok`` functions
    also answer for an empty batch; ``point_times`` is forced ``usePointTimes``.
    ``field_index`` is the position of the field among the arguments.
    """

    name: str
    args: Params
    accepts: frozenset[type]
    provides: EdgeType | None
    reducer: MakeReducer | None = None
    transformation: MakeTransformation | None = None
    selector: bool = False
    empty_ok: bool = False
    point_times: bool = False
    field_index: int = 0
    doc: str = ""


def _zero(vtype: type) -> Any:
    return 0 if vtype is int else 0.0


def _fixed(reduce: r.Reduce) -> MakeReducer:
    return lambda args, vtype: reduce


S, B = EdgeType.STREAM, EdgeType.BATCH
FIELD = (V.STRING,)

FUNCTIONS = [
    InfluxQLFunction(
        "count", params(*FIELD), r.ANY_TYPE, S, _fixed(r.count), empty_ok=True, doc="Number of points."
    ),
    InfluxQLFunction(
        "distinct", params(*FIELD), r.ANY_TYPE, B, _fixed(r.distinct), doc="A batch of the distinct values."
    ),
    InfluxQLFunction("mean", params(*FIELD), r.NUMERIC, S, _fixed(r.mean), doc="The mean value."),
    InfluxQLFunction("median", params(*FIELD), r.NUMERIC, S, _fixed(r.median), doc="The median value."),
    InfluxQLFunction("mode", params(*FIELD), r.NUMERIC, S, _fixed(r.mode), doc="The most frequent value."),
    InfluxQLFunction("spread", params(*FIELD), r.NUMERIC, S, _fixed(r.spread), doc="Maximum minus minimum."),
    InfluxQLFunction(
        "sum",
        params(*FIELD),
        r.NUMERIC,
        S,
        lambda args, vtype: r.make_sum(_zero(vtype)),
        empty_ok=True,
        doc="The sum of the values.",
    ),
    InfluxQLFunction(
        "first", params(*FIELD), r.ANY_TYPE, S, _fixed(r.first), selector=True, doc="The earliest point."
    ),
    InfluxQLFunction(
        "last", params(*FIELD), r.ANY_TYPE, S, _fixed(r.last), selector=True, doc="The latest point."
    ),
    InfluxQLFunction(
        "min", params(*FIELD), r.NUMERIC, S, _fixed(r.minimum), selector=True, doc="The lowest point."
    ),
    InfluxQLFunction(
        "max", params(*FIELD), r.NUMERIC, S, _fixed(r.maximum), selector=True, doc="The highest point."
    ),
    InfluxQLFunction(
        "percentile",
        params(V.STRING, V.FLOAT),
        r.NUMERIC,
        S,
        lambda args, vtype: r.make_percentile(float(args[0])),
        selector=True,
        doc="The point at the given percentile (no interpolation).",
    ),
    InfluxQLFunction(
        "top",
        params(V.INT, V.STRING, V.STRING, variadic=True),
        r.NUMERIC,
        B,
        lambda args, vtype: r.make_top_bottom(int(args[0]), tuple(args[1:]), top=True),
        field_index=1,
        doc="The n highest points, one per distinct combination of the extra fields or tags.",
    ),
    InfluxQLFunction(
        "bottom",
        params(V.INT, V.STRING, V.STRING, variadic=True),
        r.NUMERIC,
        B,
        lambda args, vtype: r.make_top_bottom(int(args[0]), tuple(args[1:]), top=False),
        field_index=1,
        doc="The n lowest points, one per distinct combination of the extra fields or tags.",
    ),
    InfluxQLFunction(
        "stddev", params(*FIELD), r.NUMERIC, S, _fixed(r.stddev), doc="The sample standard deviation."
    ),
    InfluxQLFunction(
        "elapsed",
        params(V.STRING, V.DURATION),
        r.ANY_TYPE,
        None,
        transformation=lambda args, vtype: r.Elapsed(int(args[0])),
        doc="Time since the previous point, in units.",
    ),
    InfluxQLFunction(
        "difference",
        params(*FIELD),
        r.NUMERIC,
        None,
        transformation=lambda args, vtype: r.Difference(),
        doc="Change from the previous value.",
    ),
    InfluxQLFunction(
        "movingAverage",
        params(V.STRING, V.INT),
        r.NUMERIC,
        None,
        transformation=lambda args, vtype: r.MovingAverage(int(args[0])),
        doc="Mean of the last n values.",
    ),
    InfluxQLFunction(
        "cumulativeSum",
        params(*FIELD),
        r.NUMERIC,
        None,
        transformation=lambda args, vtype: r.CumulativeSum(_zero(vtype)),
        doc="Running total of the values.",
    ),
    InfluxQLFunction(
        "holtWinters",
        params(V.STRING, V.INT, V.INT, V.DURATION),
        r.NUMERIC,
        B,
        lambda args, vtype: r.make_holt_winters(int(args[0]), int(args[1]), int(args[2]), False),
        point_times=True,
        doc="Holt-Winters forecast of h intervals (season m).",
    ),
    InfluxQLFunction(
        "holtWintersWithFit",
        params(V.STRING, V.INT, V.INT, V.DURATION),
        r.NUMERIC,
        B,
        lambda args, vtype: r.make_holt_winters(int(args[0]), int(args[1]), int(args[2]), True),
        point_times=True,
        doc="Holt-Winters forecast preceded by the fitted values.",
    ),
]


#: Functions whose first argument besides the field must be positive, and what it is:
#: the reducers would fail on the first data otherwise.
_POSITIVE_ARGUMENT = {
    "top": "the number of points",
    "bottom": "the number of points",
    "movingAverage": "the window",
    "elapsed": "the unit",
}


class InfluxQLNode(GroupedNode):
    """One InfluxQL function over each group; see the module docstring."""

    def __init__(self, ctx: NodeContext, function: InfluxQLFunction) -> None:
        super().__init__()
        self.function = function
        args = ctx.args
        self.field: str = args[function.field_index]
        self.extra_args = args[: function.field_index] + args[function.field_index + 1 :]
        what = _POSITIVE_ARGUMENT.get(function.name)
        if what is not None and self.extra_args[0] <= 0:
            raise ValueError(f"{function.name}: {what} must be greater than zero")
        # holtWinters shares its default name between both variants, as in Kapacitor.
        default_as = "holtWinters" if function.name.startswith("holtWinters") else function.name
        self.as_: str = ctx.prop("as", default_as)
        self.point_times = (
            ctx.flag("usePointTimes") or function.point_times or function.transformation is not None
        )
        self.provides = function.provides or ctx.edge_in or EdgeType.STREAM
        self.reducers: dict[type, r.Reduce] = {}

    def new_receiver(self, group: GroupID, first: Message) -> Receiver:
        if self.function.transformation is not None:
            return _TransformReceiver(self, first)
        return _ReduceReceiver(self, first)

    # -- shared by the receivers ------------------------------------------------------

    def value_of(self, p: Point, vtype: type | None) -> Any:
        """The field's value, checked against the reduction's type (None: first value).

        Raises PointError for a missing field or a type the function cannot take."""
        fields = p.fields
        if self.field not in fields:
            raise PointError(f"field {self.field} missing from point cannot aggregate")
        value = fields[self.field]
        found = r.value_type(value)
        if vtype is None:
            if found not in self.function.accepts:
                raise PointError(f"cannot apply {self.function.name} to {_type_name(found)} field")
        elif found is not vtype:
            raise PointError(f"field {self.field} has wrong type: got {_type_name(found)}")
        return value

    def reducer(self, vtype: type) -> r.Reduce:
        reduce = self.reducers.get(vtype)
        if reduce is None:
            assert self.function.reducer is not None
            reduce = self.reducers[vtype] = self.function.reducer(self.extra_args, vtype)
        return reduce

    def collect(self, points: list[Point]) -> tuple[list[Any], list[Point], type | None]:
        """The field's values in ``points`` (and the points that have a good one) and
        their type; bad points are counted as errors and left out."""
        field = self.field
        try:
            values = [p.fields[field] for p in points]
        except KeyError:
            pass
        else:
            kinds = set(map(type, values))
            if len(kinds) == 1:
                (vtype,) = kinds
                if vtype in self.function.accepts:
                    return values, points, vtype
        values: list[Any] = []
        kept: list[Point] = []
        vtype = None
        for p in points:
            vtype = self.gather(p, values, kept, vtype)
        return values, kept, vtype

    def gather(self, p: Point, values: list[Any], points: list[Point], vtype: type | None) -> type | None:
        """Append ``p``'s value to ``values`` and ``p`` to ``points`` if the value is good
        (else count the error); the values' type, known from the first good one."""
        try:
            value = self.value_of(p, vtype)
        except PointError as err:
            self.report_error(err)
            return vtype
        values.append(value)
        points.append(p)
        return r.value_type(value) if vtype is None else vtype

    def emit(
        self,
        name: str,
        time: int,
        values: list[Any],
        points: list[Point],
        vtype: type,
        tags: dict[str, str],
        like: Message,
    ) -> Message | None:
        """The output of one reduction at ``time``: a point or a batch."""
        results = self.reducer(vtype)(values, points)
        group, dims = _group_of(like)
        if self.provides is EdgeType.STREAM:
            if len(results) != 1:
                return None
            t, value, selected = results[0]
            out_time = t if self.point_times and t is not None else time
            if self.function.selector and selected is not None:
                fields = selected.fields
                if self.as_ != self.field:
                    fields = dict(fields)
                    fields[self.as_] = fields.pop(self.field)
                return Point(name, selected.tags, fields, out_time, None, group, dims)
            return Point(name, tags, {self.as_: value}, out_time, None, group, dims)
        points = []
        tmax = time
        for t, value, selected in results:
            out_time = t if self.point_times and t is not None else time
            point_tags = {**tags, **selected.tags} if selected is not None and selected.tags else tags
            points.append(Point(name, point_tags, {self.as_: value}, out_time, None, group, dims))
            if out_time > tmax:
                tmax = out_time
        return Batch(name, tags, points, tmax, group=group, dims=dims)


def _group_tags(msg: Message) -> dict[str, str]:
    """The tags of the group a point or batch belongs to."""
    if type(msg) is Batch:
        return msg.tags
    if type(msg) is Point:
        return msg.dims.group_tags(msg.tags)
    return {}


def _group_of(msg: Message) -> tuple[GroupID, Dimensions]:
    if type(msg) is Point or type(msg) is Batch:
        return msg.group, msg.dims  # type: ignore[union-attr]
    return NIL_GROUP, Dimensions()


def _type_name(vtype: type | None) -> str:
    return {float: "float64", int: "int64", str: "string", bool: "bool"}.get(vtype, "unknown")  # type: ignore[arg-type]


class _ReduceReceiver(Receiver):
    """Aggregates and selectors: per batch, or per timestamp on a stream."""

    def __init__(self, node: InfluxQLNode, first: Message) -> None:
        self.node = node
        self.name = first.name if type(first) is Point else ""  # type: ignore[union-attr]
        self.time = first.time if type(first) is Point else 0  # type: ignore[union-attr]
        self.values: list[Any] = []
        self.points: list[Point] = []
        self.vtype: type | None = None

    def point(self, p: Point) -> Message | None:
        if p.time == self.time:
            self.vtype = self.node.gather(p, self.values, self.points, self.vtype)
            return None
        out = None
        if self.vtype is not None:
            last = self.points[-1]
            out = self.node.emit(
                self.name, self.time, self.values, self.points, self.vtype, _group_tags(last), last
            )
        self.name, self.time, self.values, self.points = p.name, p.time, [], []
        self.vtype = self.node.gather(p, self.values, self.points, None)
        return out

    def batch(self, b: Batch) -> Message | None:
        node = self.node
        values, points, vtype = node.collect(b.points)
        if not values:
            if not node.function.empty_ok:
                return None
            vtype = float  # Kapacitor assumes floats when it has seen no data
        assert vtype is not None
        return node.emit(b.name, b.tmax, values, points, vtype, b.tags, b)


class _TransformReceiver(Receiver):
    """Streaming transformations: one output per input point, restarted per batch."""

    def __init__(self, node: InfluxQLNode, first: Message) -> None:
        self.node = node
        self.tags: dict[str, str] | None = None
        self.name = ""
        self.vtype: type | None = None
        self.state: r.Transformation | None = None

    def _step(self, p: Point) -> tuple[int, Any] | None:
        """Feed one point; the result to emit, if any."""
        node = self.node
        if self.state is None:
            try:
                value = node.value_of(p, None)
            except PointError as err:
                node.report_error(err)
                return None
            self.vtype = r.value_type(value)
            assert node.function.transformation is not None
            self.state = node.function.transformation(node.extra_args, self.vtype)  # type: ignore[arg-type]
            self.state.add(p.time, value)
        else:
            try:
                self.state.add(p.time, node.value_of(p, self.vtype))
            except PointError as err:
                node.report_error(err)  # Kapacitor still emits the current result
        results = self.state.emit()
        return results[0] if len(results) == 1 else None

    def point(self, p: Point) -> Point | None:
        result = self._step(p)
        if result is None:
            return None
        t, value = result
        if self.tags is None:
            self.name, self.tags = p.name, _group_tags(p)
        return Point(self.name, self.tags, {self.node.as_: value}, t, None, p.group, p.dims)

    def batch(self, b: Batch) -> Batch:
        self.state = None
        points = []
        for p in b.points:
            result = self._step(p)
            if result is not None:
                t, value = result
                points.append(Point(b.name, b.tags, {self.node.as_: value}, t, None, b.group, b.dims))
        self.state = None
        return b.replace(points=points)


def _factory(function: InfluxQLFunction) -> Callable[[NodeContext], InfluxQLNode]:
    return lambda ctx: InfluxQLNode(ctx, function)


_PROPERTIES = {
    "as": PropertySpec("as", params(V.STRING), doc="The name of the result field."),
    "usePointTimes": PropertySpec(
        "usePointTimes", doc="Selectors: use the selected point's time instead of the batch's."
    ),
}


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name=f.name,
            kind="holtWinters" if f.name.startswith("holtWinters") else f.name,
            factory=_factory(f),
            args=f.args,
            properties=_PROPERTIES,
            provides=f.provides,
            doc=f"{f.doc}\n\n{__doc__}",
        )
        for f in FUNCTIONS
    ]
