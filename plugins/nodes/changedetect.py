"""``|changeDetect(fields...)``: pass a point on only when one of the fields changed.

Consecutive duplicates are dropped, per group; the first point of a group always
passes::

    stream
        |from()
            .measurement('service')
            .groupBy('host')
        |changeDetect('status')
        |alert()
            .crit(lambda: "status" == 'down')

A value changes when it differs in value or in type (``1`` and ``1.0`` differ, as in
Kapacitor). A point lacking one of the fields is judged on the others. On batches
the comparison starts afresh in every batch, so its first point always passes.
"""

from __future__ import annotations

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
    Receiver,
    ValueType,
    hookimpl,
    params,
)

_MISSING = object()


class ChangeDetectNode(GroupedNode):
    """Drops points whose watched fields equal those of the group's last passed point."""

    def __init__(self, ctx: NodeContext) -> None:
        super().__init__()
        self.fields = tuple(str(f) for f in ctx.args)
        if not self.fields:
            raise ValueError("changeDetect needs at least one field")

    def new_receiver(self, group: GroupID, first: Message) -> Receiver:
        return _ChangeDetectGroup(self)

    def changed(self, previous: dict[str, Any], current: dict[str, Any]) -> bool:
        for name in self.fields:
            value = current.get(name, _MISSING)
            if value is _MISSING:
                self.report_error(PointError(f"expected field {name} not found"))
                continue
            before = previous.get(name, _MISSING)
            if type(before) is not type(value) or before != value:
                return True
        return False


class _ChangeDetectGroup(Receiver):
    def __init__(self, node: ChangeDetectNode) -> None:
        self.node = node
        self.previous: dict[str, Any] = {}

    def point(self, p: Point) -> Forward:
        if self.node.changed(self.previous, p.fields):
            self.previous = p.fields
            return p
        return None

    def batch(self, b: Batch) -> Forward:
        self.previous = {}
        kept = [p for p in b.points if self.point(p) is not None]
        return b.replace(points=kept)


SPEC = NodeSpec(
    name="changeDetect",
    kind="changeDetect",
    factory=ChangeDetectNode,
    args=params(ValueType.STRING, variadic=True, min_args=1),
    doc="Passes on points whose fields changed since the group's last point.",
)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [SPEC]
