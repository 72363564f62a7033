"""The base of nodes that rewrite every point's fields and tags (``|default()``,
``|delete()``): a subclass says how in :meth:`~RewriteNode.rewrite_fields` and
:meth:`~RewriteNode.rewrite_tags`, returning the same dict when nothing changes, so a
point that needs nothing is passed on as it is, without a copy."""

from __future__ import annotations

from typing import Any

from leyden.kernel import Batch, Chunk, Message, Node, Point


class RewriteNode(Node):
    """Rewrites stream points, batch points and a batch's group tags."""

    def rewrite_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        return fields

    def rewrite_tags(self, tags: dict[str, str]) -> dict[str, str]:
        return tags

    def rewrite_point(self, p: Point) -> Point:
        fields = self.rewrite_fields(p.fields)
        tags = self.rewrite_tags(p.tags)
        if fields is p.fields and tags is p.tags:
            return p
        return p.replace(fields=fields, tags=tags)

    #: How a stream point is rewritten; a subclass may also regroup it.
    rewrite_stream_point = rewrite_point

    def process(self, chunk: Chunk) -> Chunk:
        out: list[Message] = []
        stream_point, batch_point = self.rewrite_stream_point, self.rewrite_point
        batch_tags = self.rewrite_tags
        for msg in chunk:
            kind = type(msg)
            if kind is Point:
                out.append(stream_point(msg))  # type: ignore[arg-type]
            elif kind is Batch:
                points = [batch_point(p) for p in msg.points]  # type: ignore[union-attr]
                out.append(msg.replace(tags=batch_tags(msg.tags), points=points))  # type: ignore[union-attr]
            else:
                out.append(msg)
        return out
