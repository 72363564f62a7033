"""``|delete()``: removes fields and tags.

Deleting a tag the data is grouped by also takes it out of the grouping::

    stream
        |from()
            .measurement('cpu')
        |delete()
            .field('usage_guest')
            .tag('cpu')
"""

from __future__ import annotations

from typing import Any

from leyden.kernel import (
    Batch,
    Chunk,
    Dimensions,
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


def _without(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """``values`` minus ``names``; the same dict when none of them is present."""
    if not any(name in values for name in names):
        return values
    return {k: v for k, v in values.items() if k not in names}


class DeleteNode(Node):
    """Drops the named fields and tags from points and batches."""

    def __init__(self, ctx: NodeContext) -> None:
        self.fields = tuple(call[0] for call in ctx.calls("field"))
        self.tags = tuple(call[0] for call in ctx.calls("tag"))
        self._dims: dict[Dimensions, Dimensions] = {}

    def _dimensions(self, dims: Dimensions) -> Dimensions:
        """``dims`` without the deleted tags (cached: dimensions are few)."""
        found = self._dims.get(dims)
        if found is None:
            kept = tuple(t for t in dims.tag_names if t not in self.tags)
            found = self._dims[dims] = dims if kept == dims.tag_names else Dimensions(kept, dims.by_name)
        return found

    def _point(self, p: Point) -> Point:
        fields = _without(p.fields, self.fields)
        tags = _without(p.tags, self.tags)
        if fields is p.fields and tags is p.tags:
            return p
        return p.replace(fields=fields, tags=tags)

    def process(self, chunk: Chunk) -> Chunk:
        out: list[Message] = []
        for msg in chunk:
            kind = type(msg)
            if kind is Point:
                p = self._point(msg)  # type: ignore[arg-type]
                dims = self._dimensions(p.dims)
                if dims is not p.dims:
                    p = p.regroup(dims)
                out.append(p)
            elif kind is Batch:
                points = [self._point(p) for p in msg.points]  # type: ignore[union-attr]
                out.append(msg.replace(tags=_without(msg.tags, self.tags), points=points))  # type: ignore[union-attr]
            else:
                out.append(msg)
        return out


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="delete",
            kind="delete",
            factory=DeleteNode,
            properties={
                "field": PropertySpec("field", params(V.STRING), repeatable=True, doc="A field to remove."),
                "tag": PropertySpec("tag", params(V.STRING), repeatable=True, doc="A tag to remove."),
            },
            doc=__doc__ or "",
        )
    ]
