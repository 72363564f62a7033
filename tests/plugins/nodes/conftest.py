"""Helpers for testing one node without a script: a context as the kernel builds it,
and a driver that runs an ``AsyncNode`` on an inbox the test feeds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import trio
import trio.testing

from leyden.kernel import AsyncNode, Chunk, Clock, EdgeType, Message, NodeContext, NodeStats


def node_context(
    kind: str,
    *args: Any,
    properties: dict[str, list[tuple[Any, ...]]] | None = None,
    parents: int = 1,
    edge: EdgeType = EdgeType.STREAM,
    services: dict[str, Any] | None = None,
    clock: Clock | None = None,
) -> NodeContext:
    """The context the kernel hands a node factory: ``properties`` maps a property to
    the argument tuples of its calls, as the script builder does."""
    return NodeContext(
        name=f"{kind}2",
        kind=kind,
        task_id="test",
        args=args,
        properties=properties or {},
        handlers=[],
        edge_in=edge,
        edge_out=edge,
        clock=clock or Clock(),
        stats=NodeStats(),
        services=services or {},
        parent_names=tuple(f"parent{i}" for i in range(parents)),
        parent_stats=tuple(NodeStats() for _ in range(parents)),
    )


@pytest.fixture
def make_context() -> Callable[..., NodeContext]:
    return node_context


class AsyncNodeDriver:
    """Runs an :class:`AsyncNode` in a nursery: ``send`` feeds its inbox and waits until
    everything is idle, ``emitted`` holds what the node emitted so far."""

    def __init__(self, node: AsyncNode, nursery: trio.Nursery) -> None:
        self.node = node
        node.stats = NodeStats()
        self.emitted: list[Message] = []
        self._send, receive = trio.open_memory_channel[tuple[int, Chunk]](16)
        self.done = trio.Event()
        self._emitted = trio.Event()
        nursery.start_soon(self._run, receive)

    async def _run(self, receive: trio.MemoryReceiveChannel[tuple[int, Chunk]]) -> None:
        async with receive:
            await self.node.run(receive, self._emit)
        self.done.set()

    async def _emit(self, chunk: Chunk) -> None:
        self.emitted.extend(chunk)
        self._emitted.set()
        self._emitted = trio.Event()

    async def wait_for(self, count: int) -> None:
        """Wait until at least ``count`` messages are waiting in ``emitted`` (for nodes
        that wait on I/O, where :meth:`send` cannot know when they are done)."""
        with trio.fail_after(10):
            while len(self.emitted) < count:
                await self._emitted.wait()

    async def send(self, chunk: Chunk, parent: int = 0) -> None:
        await self._send.send((parent, chunk))
        await trio.testing.wait_all_tasks_blocked()

    async def close(self) -> None:
        """End the input, as when every parent is done, and wait for the node to finish."""
        await self._send.aclose()
        await self.done.wait()

    def take(self) -> list[Message]:
        """What was emitted since the last call."""
        out, self.emitted = self.emitted, []
        return out


@pytest.fixture
def drive(nursery: trio.Nursery) -> Callable[[AsyncNode], AsyncNodeDriver]:
    """``drive(node)`` starts the node; the test's nursery stops it."""
    return lambda node: AsyncNodeDriver(node, nursery)
