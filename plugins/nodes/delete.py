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

from leyden.kernel import Dimensions, NodeContext, NodeSpec, Point, PropertySpec, hookimpl, params
from leyden.kernel import ValueType as V

from ._rewrite import RewriteNode


def _without(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """``values`` minus ``names``; the same dict when none of them is present."""
    if not any(name in values for name in names):
        return values
    return {k: v for k, v in values.items() if k not in names}


class DeleteNode(RewriteNode):
    """Drops the named fields and tags from points and batches."""

    def __init__(self, ctx: NodeContext) -> None:
        self.fields = tuple(call[0] for call in ctx.calls("field"))
        self.tags = tuple(call[0] for call in ctx.calls("tag"))
        self._dims: dict[Dimensions, Dimensions] = {}

    def rewrite_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        return _without(fields, self.fields)

    def rewrite_tags(self, tags: dict[str, str]) -> dict[str, str]:
        return _without(tags, self.tags)

    def rewrite_stream_point(self, p: Point) -> Point:
        """A stream point is also taken out of the deleted tags' grouping."""
        p = self.rewrite_point(p)
        dims = self._dimensions(p.dims)
        return p if dims is p.dims else p.regroup(dims)

    def _dimensions(self, dims: Dimensions) -> Dimensions:
        """``dims`` without the deleted tags (cached: dimensions are few)."""
        found = self._dims.get(dims)
        if found is None:
            kept = tuple(t for t in dims.tag_names if t not in self.tags)
            found = self._dims[dims] = dims if kept == dims.tag_names else Dimensions(kept, dims.by_name)
        return found


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
