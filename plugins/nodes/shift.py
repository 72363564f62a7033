"""``|shift(duration)``: moves points and batches in time (forward or backward).

Useful to compare a series with its own past, e.g. joined with yesterday::

    stream
        |from()
            .measurement('cpu')
        |shift(-1h)
"""

from __future__ import annotations

from leyden.kernel import Batch, Chunk, Message, Node, NodeContext, NodeSpec, Point, hookimpl, params
from leyden.kernel import ValueType as V


class ShiftNode(Node):
    """Adds a fixed duration to every time."""

    def __init__(self, ctx: NodeContext) -> None:
        (self.shift,) = ctx.args

    def process(self, chunk: Chunk) -> Chunk:
        d = self.shift
        out: list[Message] = []
        for msg in chunk:
            kind = type(msg)
            if kind is Point:
                out.append(msg.replace(time=msg.time + d))  # type: ignore[union-attr]
            elif kind is Batch:
                points = [p.replace(time=p.time + d) for p in msg.points]  # type: ignore[union-attr]
                out.append(msg.replace(points=points, tmax=msg.tmax + d))  # type: ignore[union-attr]
            else:
                out.append(msg)
        return out


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="shift",
            kind="shift",
            factory=ShiftNode,
            args=params(V.DURATION),
            doc=__doc__ or "",
        )
    ]
