"""``|derivative(field)``: the rate of change of a field between consecutive points.

The result, ``(current - previous) / (elapsed / unit)``, is stored in the ``as``
field (by default the field itself) of a copy of the current point; the first point
of a group (or of each batch) has no predecessor and is dropped::

    stream
        |from()
            .measurement('net_rx_packets')
        |derivative('value')
            .unit(1s)
            .nonNegative()
            .as('rate')

With ``.nonNegative()`` a negative rate drops the point (a counter reset).
"""

from __future__ import annotations

from leyden.kernel import (
    Batch,
    GroupedNode,
    GroupID,
    Message,
    NodeContext,
    NodeSpec,
    Point,
    PointError,
    PropertySpec,
    Receiver,
    hookimpl,
    params,
)
from leyden.kernel import ValueType as V

SECOND = 1_000_000_000


class DerivativeNode(GroupedNode):
    """Per-group derivative of one field; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        super().__init__()
        (self.field,) = ctx.args
        self.as_: str = ctx.prop("as", self.field)
        self.unit: int = ctx.prop("unit", SECOND)
        self.non_negative = ctx.flag("nonNegative")
        if self.unit <= 0:
            raise ValueError("derivative unit must be positive")

    def new_receiver(self, group: GroupID, first: Message) -> Receiver:
        return _DerivativeReceiver(self)

    def derive(self, prev: Point | None, p: Point) -> tuple[Point | None, bool]:
        """The point to emit (or None) and whether ``p`` becomes the previous point."""
        current = _number(p.fields.get(self.field))
        if current is None:
            self.report_error(PointError(f"cannot apply derivative to type {type(p.fields.get(self.field))}"))
            return None, False
        if prev is None:
            return None, True
        elapsed = p.time - prev.time
        if elapsed == 0:
            self.report_error(PointError("cannot perform derivative elapsed time was 0"))
            return None, True
        diff = float(current) - float(prev.fields[self.field])
        if self.non_negative and diff < 0:
            return None, True
        fields = dict(p.fields)
        fields[self.as_] = diff / (float(elapsed) / float(self.unit))
        return p.replace(fields=fields), True


def _number(value: object) -> float | int | None:
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return None


class _DerivativeReceiver(Receiver):
    def __init__(self, node: DerivativeNode) -> None:
        self.node = node
        self.previous: Point | None = None

    def point(self, p: Point) -> Point | None:
        out, store = self.node.derive(self.previous, p)
        if store:
            self.previous = p
        return out

    def batch(self, b: Batch) -> Batch:
        previous = None
        points = []
        derive = self.node.derive
        for p in b.points:
            out, store = derive(previous, p)
            if store:
                previous = p
            if out is not None:
                points.append(out)
        return b.replace(points=points)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="derivative",
            kind="derivative",
            factory=DerivativeNode,
            args=params(V.STRING),
            properties={
                "unit": PropertySpec("unit", params(V.DURATION), doc="The time unit of the rate (1s)."),
                "nonNegative": PropertySpec("nonNegative", doc="Drop negative rates."),
                "as": PropertySpec("as", params(V.STRING), doc="The result field (the field itself)."),
            },
            doc=__doc__ or "",
        )
    ]
