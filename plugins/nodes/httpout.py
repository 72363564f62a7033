"""``|httpOut(name)``: serves the latest data of each group as Kapacitor's JSON result.

For each group the node keeps the last point (stream edge) or the last batch (batch
edge); the task's ``GET /kapacitor/v1/tasks/<id>/<name>`` answers with one series
per group, in the order the groups first produced output. Data passes on unchanged
to any children::

    stream
        |from()
            .measurement('cpu')
        |window()
            .period(10s)
            .every(10s)
        |mean('usage')
        |httpOut('mean_usage')

Updating costs one dict store per message; the JSON rows are built when the output
is read, and only for the groups that changed since the last read.
"""

from __future__ import annotations

from typing import Any

from leyden.kernel import (
    Batch,
    Chunk,
    DeleteGroup,
    GroupID,
    Node,
    NodeContext,
    NodeSpec,
    Point,
    batch_row,
    hookimpl,
    params,
    point_row,
    result,
)
from leyden.kernel import ValueType as V


class HttpOutNode(Node):
    """Remembers each group's latest message and renders them on demand."""

    def __init__(self, ctx: NodeContext) -> None:
        (self.endpoint,) = ctx.args
        self.latest: dict[GroupID, Point | Batch] = {}
        self.rows: dict[GroupID, tuple[Point | Batch, dict[str, Any]]] = {}
        if ctx.publish_output is None:
            raise ValueError("httpOut needs a task that can publish outputs")
        ctx.publish_output(self.endpoint, self.read)

    def cardinality(self) -> int:
        return len(self.latest)

    def process(self, chunk: Chunk) -> Chunk:
        latest = self.latest
        for msg in chunk:
            kind = type(msg)
            if kind is Point or kind is Batch:
                latest[msg.group] = msg  # type: ignore[assignment]
            elif kind is DeleteGroup:
                latest.pop(msg.group, None)
                self.rows.pop(msg.group, None)
        return chunk

    def read(self) -> dict[str, Any]:
        """The result document: one series per group, built from what changed."""
        rows = self.rows
        series = []
        for group, msg in self.latest.items():
            cached = rows.get(group)
            if cached is None or cached[0] is not msg:
                row = point_row(msg) if type(msg) is Point else batch_row(msg)  # type: ignore[arg-type]
                cached = rows[group] = (msg, row)
            series.append(cached[1])
        return result(series)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="httpOut",
            kind="http_out",
            factory=HttpOutNode,
            args=params(V.STRING),
            doc=__doc__ or "",
        )
    ]
