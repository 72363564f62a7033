"""``|union()``: merge the data of several parents into one stream, in time order.

Nothing is transformed except, with ``.rename()``, the measurement name::

    var cpu = stream
        |from()
            .measurement('cpu')
    var mem = stream
        |from()
            .measurement('mem')
    cpu
        |union(mem)
            .rename('host_stats')

As in Kapacitor, each parent's messages are buffered until every parent has sent
something; then messages go out up to the low-water mark, the oldest time any
parent is known to have reached, so the output is ordered by time.
"""

from __future__ import annotations

from collections import deque

import trio

from leyden.kernel import (
    AsyncNode,
    Batch,
    Chunk,
    DeleteGroup,
    Emit,
    Message,
    NodeContext,
    NodeSpec,
    Point,
    PropertySpec,
    ValueType,
    hookimpl,
    params,
)

#: A parent that has sent nothing yet.
_UNSEEN = None


class UnionNode(AsyncNode):
    """Merges its parents by time; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        self.rename: str = ctx.prop("rename", "")
        parents = len(ctx.parent_names)
        self.buffers: list[deque[Message]] = [deque() for _ in range(parents)]
        self.low_marks: list[int | None] = [_UNSEEN] * parents

    async def run(self, inbox: trio.MemoryReceiveChannel[tuple[int, Chunk]], emit: Emit) -> None:
        async for src, chunk in inbox:
            out: list[Message] = []
            buffer = self.buffers[src]
            for msg in chunk:
                if type(msg) is DeleteGroup:
                    out.append(msg)
                    continue
                buffer.append(self._renamed(msg))
            self.release(out, drain=False)
            if out:
                await emit(out)
        out = []
        self.release(out, drain=True)
        await emit(out)

    def _renamed(self, msg: Message) -> Message:
        if self.rename and (type(msg) is Point or type(msg) is Batch):
            return msg.replace(name=self.rename)  # type: ignore[union-attr]
        return msg

    def release(self, out: list[Message], *, drain: bool) -> None:
        """Move every buffered message at or before the low-water mark to ``out``;
        with ``drain`` (end of input) every buffered message goes."""
        buffers, low_marks = self.buffers, self.low_marks
        while True:
            mark: int | None = None
            for i, buffer in enumerate(buffers):
                if buffer:
                    head = buffer[0].time  # type: ignore[union-attr]
                    low_marks[i] = head
                    if mark is None or head < mark:
                        mark = head
                if not drain:
                    low = low_marks[i]
                    if low is _UNSEEN:
                        return
                    if mark is None or low < mark:
                        mark = low
            if mark is None:
                return
            moved = False
            for buffer in buffers:
                while buffer and buffer[0].time <= mark:  # type: ignore[union-attr]
                    out.append(buffer.popleft())
                    moved = True
            if not moved:
                return


SPEC = NodeSpec(
    name="union",
    kind="union",
    factory=UnionNode,
    args=params(ValueType.NODE, variadic=True, min_args=1),
    properties={
        "rename": PropertySpec("rename", params(ValueType.STRING), doc="The measurement name of the output."),
    },
    multi_parent=True,
    doc="Merges the data of several parents into one stream.",
)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [SPEC]
