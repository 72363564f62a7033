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

from leyden.kernel import NodeContext, NodeSpec, PropertySpec, hookimpl, params
from leyden.kernel import ValueType as V

from ._rewrite import RewriteNode


class DefaultNode(RewriteNode):
    """Copies a point's fields or tags only when something is filled in."""

    def __init__(self, ctx: NodeContext) -> None:
        self.fields: dict[str, Any] = {name: value for name, value in ctx.calls("field")}
        self.tags: dict[str, str] = {name: value for name, value in ctx.calls("tag")}

    def rewrite_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        missing = [name for name in self.fields if fields.get(name) is None]
        return _filled(fields, self.fields, missing) if missing else fields

    def rewrite_tags(self, tags: dict[str, str]) -> dict[str, str]:
        missing = [name for name in self.tags if not tags.get(name)]
        return _filled(tags, self.tags, missing) if missing else tags


def _filled(values: dict[str, Any], defaults: dict[str, Any], missing: list[str]) -> dict[str, Any]:
    """A copy of ``values`` with the ``missing`` names set from ``defaults``."""
    filled = dict(values)
    for name in missing:
        filled[name] = defaults[name]
    return filled


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
