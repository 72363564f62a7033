"""``|flatten()``: turn the points of one time into a single point, one field per tag value.

Given ``m,host=A,port=80 bytes=3512`` and ``m,host=A,port=443 bytes=6723``,
flattening on ``port`` gives ``m,host=A 80.bytes=3512,443.bytes=6723``::

    stream
        |from()
            .measurement('net')
            .groupBy('host')
        |flatten()
            .on('port')
            .tolerance(1s)

The points of a group are collected while their (rounded) time stays the same and
flattened when a later time arrives; batches are flattened point time by point time.
A point that lacks one of the ``.on()`` tags is left out and counted as an error.
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
    PropertySpec,
    Receiver,
    ValueType,
    hookimpl,
    params,
)

from ._gotime import round_half_up


class FlattenNode(GroupedNode):
    """Flattens the points of each group; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        super().__init__()
        calls = ctx.calls("on")
        self.on: tuple[str, ...] = tuple(str(t) for t in calls[-1]) if calls else ()
        self.delimiter: str = ctx.prop("delimiter", ".")
        self.tolerance: int = ctx.prop("tolerance", 0)
        self.drop_field_name = ctx.flag("dropOriginalFieldName")

    def new_receiver(self, group: GroupID, first: Message) -> Receiver:
        return _FlattenBuffer(self, first)

    def flatten(self, points: list[Point]) -> dict[str, Any]:
        """The fields of the flattened point: ``<tag values>.<field>`` for each point."""
        fields: dict[str, Any] = {}
        delimiter, drop = self.delimiter, self.drop_field_name
        for p in points:
            tags = p.tags
            try:
                prefix = delimiter.join([tags[tag] for tag in self.on])
            except KeyError as err:
                self.report_error(PointError(f"tag {err.args[0]} is missing from point"))
                continue
            for name, value in p.fields.items():
                if drop:
                    fields[prefix] = value
                elif prefix:
                    fields[prefix + delimiter + name] = value
                else:
                    fields[name] = value
        return fields


class _FlattenBuffer(Receiver):
    """The points of one group at the current time."""

    def __init__(self, node: FlattenNode, first: Message) -> None:
        self.node = node
        # a group may start with a barrier: then its first point names it
        self.name: str | None = getattr(first, "name", None)
        self.time: int | None = None
        self.points: list[Point] = []

    def _flush(self) -> dict[str, Any]:
        fields = self.node.flatten(self.points) if self.points else {}
        self.points = []
        return fields

    def _add(self, p: Point) -> tuple[int, dict[str, Any]] | None:
        """Buffer ``p``; returns the time and fields of the previous time's points
        when ``p`` starts a new time and they flatten to something."""
        if self.name is None:
            self.name = p.name
        t = round_half_up(p.time, self.node.tolerance)
        done = None
        if t != self.time:
            previous = self.time
            fields = self._flush()
            if fields and previous is not None:
                done = (previous, fields)
            self.time = t
        self.points.append(p)
        return done

    def point(self, p: Point) -> Forward:
        done = self._add(p)
        if done is None:
            return None
        time, fields = done
        return Point(self.name or p.name, p.dims.group_tags(p.tags), fields, time, group=p.group, dims=p.dims)

    def batch(self, b: Batch) -> Forward:
        self.time = None
        self.points = []
        flat: list[Point] = []
        for p in b.points:
            done = self._add(p)
            if done is not None:
                flat.append(Point(b.name, b.tags, done[1], done[0], group=b.group, dims=b.dims))
        last_time = self.time
        fields = self._flush()
        if fields and last_time is not None:
            flat.append(Point(b.name, b.tags, fields, last_time, group=b.group, dims=b.dims))
        return b.replace(points=flat)


SPEC = NodeSpec(
    name="flatten",
    kind="flatten",
    factory=FlattenNode,
    properties={
        "on": PropertySpec("on", params(ValueType.STRING, variadic=True, min_args=1), doc="Tags to flatten."),
        "delimiter": PropertySpec("delimiter", params(ValueType.STRING), doc="Between name parts."),
        "tolerance": PropertySpec("tolerance", params(ValueType.DURATION), doc="Round times to this."),
        "dropOriginalFieldName": PropertySpec(
            "dropOriginalFieldName",
            params(ValueType.BOOL, min_args=0),
            doc="Name fields by the tag values only.",
        ),
    },
    doc="Flattens the points of one time into a single point.",
)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [SPEC]
