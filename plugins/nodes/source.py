"""The predefined source variables ``stream`` and ``batch``.

Every TICKscript starts from one of them::

    stream
        |from()
            .measurement('cpu')

The ``stream`` node receives every point written to the task's dbrps; the ``batch``
node is the parent of a batch task's queries.
"""

from __future__ import annotations

from leyden.kernel import Chunk, EdgeType, Node, NodeContext, NodeSpec, hookimpl


class SourceNode(Node):
    """Passes on what the task registry routes to the task."""

    def __init__(self, ctx: NodeContext) -> None:
        pass

    def process(self, chunk: Chunk) -> Chunk:
        return chunk


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="stream",
            kind="stream",
            factory=SourceNode,
            wants=(),
            provides=EdgeType.STREAM,
            source_var=True,
            doc="All points written to the task's databases and retention policies.",
        ),
        NodeSpec(
            name="batch",
            kind="batch",
            factory=SourceNode,
            wants=(),
            provides=EdgeType.BATCH,
            source_var=True,
            doc="The parent of a batch task's queries.",
        ),
    ]
