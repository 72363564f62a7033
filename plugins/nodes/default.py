"""``|default()``: fills in missing fields and tags.

A field is missing when the point lacks it; a tag when it lacks it or it is empty.
Batches get their group tags and every point filled::

    stream
        |from()
            .measurement('cpu')
        |default()
            .field('value', 0.0)
            .tag('region', 'unknown')
"""

from __future__ import annotations

from typing import Any

from leyden.kernel import (
    Batch,
    Chunk,
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


class DefaultNode(Node):
    """Copies a point's fields or tags only when something is filled in."""

    def __init__(self, ctx: NodeContext) -> None:
        self.fields: dict[str, Any] = {name: value for name, value in ctx.calls("field")}
        self.tags: dict[str, str] = {name: value for name, value in ctx.calls("tag")}

    def _fill_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        missing = [name for name in self.fields if fields.get(name) is None]
        if not missing:
            return fields
        filled = dict(fields)
        for name in missing:
            filled[name] = self.fields[name]
        return filled

    def _fill_tags(self, tags: dict[str, str]) -> dict[str, str]:
        missing = [name for name in self.tags if not tags.get(name)]
        if not missing:
            return tags
        filled = dict(tags)
        for name in missing:
            filled[name] = self.tags[name]
        return filled

    def _point(self, p: Point) -> Point:
        fields = self._fill_fields(p.fields)
        tags = self._fill_tags(p.tags)
        if fields is p.fields and tags is p.tags:
            return p
        return p.replace(fields=fields, tags=tags)

    def process(self, chunk: Chunk) -> Chunk:
        out: list[Message] = []
        for msg in chunk:
            kind = type(msg)
            if kind is Point:
                out.append(self._point(msg))  # type: ignore[arg-type]
            elif kind is Batch:
                points = [self._point(p) for p in msg.points]  # type: ignore[union-attr]
                out.append(msg.replace(tags=self._fill_tags(msg.tags), points=points))  # type: ignore[union-attr]
            else:
                out.append(msg)
        return out


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="default",
            kind="default",
            factory=DefaultNode,
            properties={
                "field": PropertySpec(
                    "field",
                    params(V.STRING, (V.FLOAT, V.INT, V.STRING, V.BOOL)),
                    repeatable=True,
                    doc="A field and the value it gets when missing.",
                ),
                "tag": PropertySpec(
                    "tag",
                    params(V.STRING, V.STRING),
                    repeatable=True,
                    doc="A tag and the value it gets when missing or empty.",
                ),
            },
            doc=__doc__ or "",
        )
    ]
