"""Running one task: node instances, fused segments, edges and statistics.

The pipeline is cut into *segments*. A segment starts at a node that needs a task of
its own (a source, an :class:`AsyncNode`, a node with several parents) and takes in
every synchronous single-parent node below it; a chunk crosses a whole segment
through plain method calls. Segments talk through bounded trio memory channels
carrying ``(parent index, chunk)``, so a slow segment slows its writers instead of
growing memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from time import perf_counter_ns
from typing import Any

import trio

from ._clock import Clock
from ._errors import TaskError, TickError
from ._messages import DBRP, Chunk
from ._node import AsyncNode, Node, NodeContext, NodeStats
from ._pipeline import Pipeline, PipelineNode

log = logging.getLogger("leyden.task")

#: Chunks an edge between two segments may hold before its writer waits.
EDGE_CAPACITY = 16

Pending = list[tuple[trio.MemorySendChannel[tuple[int, Chunk]], tuple[int, Chunk]]]


class NodeFailure(TaskError):
    """A node raised while processing; the task stops and shows this message."""

    def __init__(self, node_name: str, error: BaseException) -> None:
        self.node_name = node_name
        super().__init__(f"{node_name}: {error}")


class _Hop:
    """A node inside a segment: runs the node and hands its output to the children."""

    __slots__ = ("children", "name", "process", "stats")

    def __init__(self, name: str, node: Node, stats: NodeStats) -> None:
        self.name = name
        self.process = node.process
        self.stats = stats
        self.children: list[_Hop | _EdgeOut] = []

    def push(self, chunk: Chunk, pending: Pending) -> None:
        stats = self.stats
        start = perf_counter_ns()
        try:
            out = self.process(chunk)
        except NodeFailure:
            raise
        except Exception as err:
            raise NodeFailure(self.name, err) from err
        stats.exec_ns += perf_counter_ns() - start
        stats.collected += len(chunk)
        if out:
            stats.emitted += len(out)
            for child in self.children:
                child.push(out, pending)


class _EdgeOut:
    """The end of a segment: queues the chunk for the next segment's inbox."""

    __slots__ = ("port", "send")

    def __init__(self, send: trio.MemorySendChannel[tuple[int, Chunk]], port: int) -> None:
        self.send = send
        self.port = port

    def push(self, chunk: Chunk, pending: Pending) -> None:
        pending.append((self.send, (self.port, chunk)))


class _Segment:
    """A root node, its fused descendants, and the inbox that feeds it.

    Every edge into the segment holds a clone of its send channel, so the segment
    sees the end of its input once every parent segment has ended; it then closes
    its own outgoing edges, and the end travels down the graph. ``send`` itself is
    kept open only for a source, whose writer is the task registry.
    """

    def __init__(self, root: PipelineNode) -> None:
        self.root = root
        self.send, self.receive = trio.open_memory_channel[tuple[int, Chunk]](EDGE_CAPACITY)
        self.hop: _Hop | None = None
        self.async_node: AsyncNode | None = None
        self.outputs: list[_Hop | _EdgeOut] = []  # children of an async root
        self.edges_out: list[_EdgeOut] = []  # every edge leaving the segment

    def close_edges_out(self) -> None:
        for edge in self.edges_out:
            edge.send.close()


def _needs_own_task(node: PipelineNode, instance: Any) -> bool:
    return (
        not node.parents or len(node.parents) > 1 or node.spec.multi_parent or isinstance(instance, AsyncNode)
    )


class RunningTask:
    """The live form of a task. ``run`` blocks until the task stops or fails."""

    def __init__(
        self,
        task_id: str,
        pipeline: Pipeline,
        clock: Clock,
        services: Mapping[str, Any] | None = None,
        dbrps: list[DBRP] | None = None,
    ) -> None:
        self.id = task_id
        self.dbrps = tuple(dbrps or ())
        self.pipeline = pipeline
        self.clock = clock
        self.services = services or {}
        self.stats: dict[str, NodeStats] = {n.name: NodeStats() for n in pipeline.nodes}
        self.instances: dict[str, Node | AsyncNode] = {}
        self.outputs: dict[str, Callable[[], Any]] = {}
        self.segments: dict[str, _Segment] = {}
        self._build()

    # -- construction ---------------------------------------------------------------

    def _build(self) -> None:
        for node in self.pipeline.nodes:
            self.instances[node.name] = self._instantiate(node)
        for node in self.pipeline.nodes:
            if _needs_own_task(node, self.instances[node.name]):
                self.segments[node.name] = _Segment(node)
        hops: dict[str, _Hop] = {}
        for node in self.pipeline.nodes:
            instance = self.instances[node.name]
            if isinstance(instance, Node):
                hops[node.name] = _Hop(node.name, instance, self.stats[node.name])
        edges: dict[str, list[_EdgeOut]] = {}
        for node in self.pipeline.nodes:
            targets: list[_Hop | _EdgeOut] = []
            for child in node.children:
                segment = self.segments.get(child.name)
                if segment is not None:
                    edge = _EdgeOut(segment.send.clone(), child.parents.index(node))
                    edges.setdefault(node.name, []).append(edge)
                    targets.append(edge)
                else:
                    targets.append(hops[child.name])
            hop = hops.get(node.name)
            if hop is not None:
                hop.children = targets
            segment = self.segments.get(node.name)
            if segment is not None:
                if hop is not None:
                    segment.hop = hop
                else:
                    segment.async_node = self.instances[node.name]  # type: ignore[assignment]
                    segment.outputs = targets
        for segment in self.segments.values():
            segment.edges_out = [e for n in self._fused(segment.root) for e in edges.get(n.name, ())]
            if segment.root.parents:
                segment.send.close()  # the parents' clones are its only writers

    def _fused(self, root: PipelineNode) -> list[PipelineNode]:
        """A segment's root and the nodes fused below it."""
        found = [root]
        for node in found:
            found.extend(c for c in node.children if c.name not in self.segments and c not in found)
        return found

    def _instantiate(self, node: PipelineNode) -> Node | AsyncNode:
        if node.spec.factory is None:
            raise TypeError(f"node {node.spec.name!r} cannot be instantiated")
        stats = self.stats[node.name]
        ctx = NodeContext(
            name=node.name,
            kind=node.spec.kind,
            task_id=self.id,
            args=node.args,
            properties=node.properties,
            handlers=node.handlers,
            edge_in=node.edge_in,
            edge_out=node.edge_out,
            clock=self.clock,
            stats=stats,
            services=self.services,
            parent_names=tuple(p.name for p in node.parents),
            parent_stats=tuple(self.stats[p.name] for p in node.parents),
            publish_output=self._publish_output,
            dbrps=self.dbrps,
        )
        try:
            instance = node.spec.factory(ctx)
        except TickError as err:
            if err.line:
                raise
            raise TickError(f"{node.name}: {err.message}", *node.pos) from err
        except ValueError as err:
            # A node rejecting its configuration is a script error at the node.
            raise TickError(f"{node.name}: {err}", *node.pos) from err
        instance.stats = stats
        return instance

    def _publish_output(self, name: str, reader: Callable[[], Any]) -> None:
        if name in self.outputs:
            raise ValueError(f"another node already publishes an output named {name!r}")
        self.outputs[name] = reader

    # -- running --------------------------------------------------------------------

    @property
    def sources(self) -> list[_Segment]:
        return [s for s in self.segments.values() if not s.root.parents]

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            for segment in self.segments.values():
                nursery.start_soon(self._run_segment, segment, name=f"{self.id}:{segment.root.name}")
            task_status.started()

    async def _run_segment(self, segment: _Segment) -> None:
        if segment.async_node is not None:
            await self._run_async(segment)
            return
        hop = segment.hop
        assert hop is not None
        async with segment.receive:
            async for _port, chunk in segment.receive:
                pending: Pending = []
                hop.push(chunk, pending)
                for send, item in pending:
                    await send.send(item)
        segment.close_edges_out()

    async def _run_async(self, segment: _Segment) -> None:
        outputs = segment.outputs
        stats = self.stats[segment.root.name]

        async def emit(chunk: Chunk) -> None:
            if not chunk:
                return
            stats.emitted += len(chunk)
            pending: Pending = []
            for child in outputs:
                child.push(chunk, pending)
            for send, item in pending:
                await send.send(item)

        node = segment.async_node
        assert node is not None
        async with segment.receive:
            try:
                await node.run(_Counting(segment.receive, stats), emit)
            except NodeFailure:
                raise
            except Exception as err:
                raise NodeFailure(segment.root.name, err) from err
        segment.close_edges_out()

    # -- inspection -----------------------------------------------------------------

    def output(self, name: str) -> Any:
        """The current value of an output (``httpOut``), or None if there is none."""
        reader = self.outputs.get(name)
        return None if reader is None else reader()

    def cardinality(self, node_name: str) -> int:
        return self.instances[node_name].cardinality()

    def statistics(self, node_name: str) -> dict[str, int]:
        """A node's own counters (see :meth:`Node.statistics`)."""
        return self.instances[node_name].statistics()


class _Counting:
    """An inbox wrapper that counts what an async node collects."""

    def __init__(self, receive: trio.MemoryReceiveChannel[tuple[int, Chunk]], stats: NodeStats) -> None:
        self._receive = receive
        self._stats = stats

    def __aiter__(self) -> _Counting:
        return self

    async def __anext__(self) -> tuple[int, Chunk]:
        try:
            item = await self._receive.receive()
        except trio.EndOfChannel:
            raise StopAsyncIteration from None
        self._stats.collected += len(item[1])
        return item

    async def receive(self) -> tuple[int, Chunk]:
        item = await self._receive.receive()
        self._stats.collected += len(item[1])
        return item
