"""``|kapacitorLoopback()``: write the data back into the engine, as if it had come in.

Other tasks reading the database and retention policy see the points like any
written data; batches are written point by point::

    stream
        |from()
            .measurement('cpu')
        |window()
            .period(1m)
            .every(1m)
        |mean('usage')
        |kapacitorLoopback()
            .database('derived')
            .retentionPolicy('autogen')
            .measurement('cpu_1m')
            .tag('resolution', '1m')

As in Kapacitor, ``.measurement()`` renames points but not batches. The node is
the end of its branch: it passes nothing on. A task must not write to
a database and retention policy it reads (that would feed itself forever), and
chains of tasks must not form such a loop either.
"""

from __future__ import annotations

import trio

from leyden.kernel import (
    AsyncNode,
    Batch,
    Chunk,
    Emit,
    NodeContext,
    NodeSpec,
    Point,
    PropertySpec,
    ValueType,
    hookimpl,
    params,
)


class LoopbackNode(AsyncNode):
    """Writes points through the ``loopback`` service (the kernel's write path)."""

    def __init__(self, ctx: NodeContext) -> None:
        self.database: str = ctx.prop("database", "")
        self.retention_policy: str = ctx.prop("retentionPolicy", "")
        if not self.database:
            raise ValueError("must specify a database")
        if not self.retention_policy:
            raise ValueError("must specify a retention policy")
        if (self.database, self.retention_policy) in ctx.dbrps:
            raise ValueError(f"loop detected on dbrp: {self.database}.{self.retention_policy}")
        self.measurement: str = ctx.prop("measurement", "")
        self.tags = {str(k): str(v) for k, v in ctx.calls("tag")}
        self.writer = ctx.service("loopback")
        if self.writer is None:
            raise ValueError("kapacitorLoopback needs the engine's loopback service")

    async def run(self, inbox: trio.MemoryReceiveChannel[tuple[int, Chunk]], emit: Emit) -> None:
        async for _src, chunk in inbox:
            points: list[Point] = []
            for msg in chunk:
                kind = type(msg)
                if kind is Point:
                    points.append(self._point(self.measurement or msg.name, msg))  # type: ignore[union-attr, arg-type]
                elif kind is Batch:
                    # as Kapacitor does, batch points keep the batch's name
                    points.extend(self._point(msg.name, p) for p in msg.points)  # type: ignore[union-attr]
            if points:
                await self.writer.write(self.database, self.retention_policy, points)

    def _point(self, name: str, p: Point) -> Point:
        tags = {**p.tags, **self.tags} if self.tags else p.tags
        return Point(name, tags, p.fields, p.time, dbrp=(self.database, self.retention_policy))


SPEC = NodeSpec(
    name="kapacitorLoopback",
    kind="kapacitor_loopback",
    factory=LoopbackNode,
    properties={
        "database": PropertySpec("database", params(ValueType.STRING), doc="Database to write to."),
        "retentionPolicy": PropertySpec("retentionPolicy", params(ValueType.STRING), doc="Retention policy."),
        "measurement": PropertySpec("measurement", params(ValueType.STRING), doc="Measurement name."),
        "tag": PropertySpec(
            "tag", params(ValueType.STRING, ValueType.STRING), repeatable=True, doc="A static tag to add."
        ),
    },
    doc="Writes the data back into the engine.",
)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [SPEC]
