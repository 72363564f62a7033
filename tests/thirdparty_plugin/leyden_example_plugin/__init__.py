"""A node a third party could publish: ``|scale(2.0)`` multiplies every float field.

::

    stream
        |from().measurement('cpu')
        |scale(2.0)
        |httpOut('out')
"""

from __future__ import annotations

from leyden.kernel import (
    Batch,
    Chunk,
    Node,
    NodeContext,
    NodeSpec,
    Point,
    ValueType,
    hookimpl,
    params,
)


def _scaled(p: Point, factor: float) -> Point:
    fields = {k: v * factor if type(v) is float else v for k, v in p.fields.items()}
    return p.replace(fields=fields)


class ScaleNode(Node):
    """Multiplies float fields of points and batch points by a constant."""

    def __init__(self, ctx: NodeContext) -> None:
        self.factor = ctx.args[0]

    def process(self, chunk: Chunk) -> Chunk:
        out: Chunk = []
        for msg in chunk:
            if type(msg) is Point:
                out.append(_scaled(msg, self.factor))
            elif type(msg) is Batch:
                out.append(msg.replace(points=[_scaled(p, self.factor) for p in msg.points]))
            else:
                out.append(msg)
        return out


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [NodeSpec(name="scale", kind="scale", factory=ScaleNode, args=params(ValueType.FLOAT))]
