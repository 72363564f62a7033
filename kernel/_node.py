"""The contract between the kernel and a node's logic.

There are two shapes of node. A :class:`Node` is a synchronous transformer over
chunks; the kernel fuses every linear run of them into one trio task, so a point
crosses a whole chain of nodes without a single task switch. An :class:`AsyncNode`
owns a task of its own, for nodes that wait on I/O, on the clock, or on several
parents.

Most node authors write neither directly: :class:`GroupedNode` keeps one
:class:`Receiver` per group and hands it one message at a time, as Kapacitor's
forwarding receivers do.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ._errors import PointError
from ._messages import Barrier, Batch, Chunk, DeleteGroup, GroupID, Message, Point
from ._spec import EdgeType, HandlerConfig

if TYPE_CHECKING:
    import trio

    from ._clock import Clock

log = logging.getLogger("leyden.node")


class Lambda(Protocol):
    """A compiled TICKscript lambda, as handed to node factories.

    Evaluation errors (missing field, type mismatch) raise :class:`PointError`.
    """

    text: str
    stateful: bool

    def evaluator(self) -> Callable[[Point], Any]:
        """A function of one point. Stateful lambdas keep their state in it, so a
        node makes one per group; stateless evaluators may be shared."""
        ...

    def selector(self) -> Callable[[list[Point]], tuple[list[Point], int]]:
        """A chunk filter for a stateless boolean lambda: returns the points for
        which the lambda is true and how many points failed to evaluate."""
        ...

    def mapper(self) -> Callable[[list[Point]], list[Any] | None] | None:
        """A chunk function for a stateless lambda: its value for every point, or
        None for a chunk where any point fails or that holds anything but points, so
        the node can take its per-point path and report the errors. None when the
        lambda is stateful."""
        ...

    def cascade(
        self, lower: Sequence[Lambda], results: Sequence[Any]
    ) -> Callable[[list[Point]], list[Any] | None] | None:
        """A chunk function for a ladder of stateless boolean lambdas (this one, then
        ``lower``): per point, the result of the first lambda that is true, or the
        last result. It returns None for a chunk where any point fails or that holds
        anything but points, so the node can take its per-point path and report the
        errors; the method returns None when the ladder cannot be fused (a stateful
        lambda)."""
        ...


@dataclass
class NodeStats:
    """Plain counters, cheap enough to bump once per chunk."""

    collected: int = 0
    emitted: int = 0
    errors: int = 0
    exec_ns: int = 0

    @property
    def avg_exec_time_ns(self) -> int:
        return self.exec_ns // self.collected if self.collected else 0


@dataclass
class NodeContext:
    """Everything a node factory gets: what the user wrote and what the task offers.

    ``properties`` maps each property name to the argument tuples of every call, in
    order; :meth:`prop` and :meth:`flag` cover the common cases. Lambda arguments
    arrive compiled (see :class:`Lambda`). ``dbrps`` are those the task reads (empty
    when a script is only being checked).
    """

    name: str
    kind: str
    task_id: str
    args: tuple[Any, ...]
    properties: Mapping[str, list[tuple[Any, ...]]]
    handlers: list[HandlerConfig]
    edge_in: EdgeType | None
    edge_out: EdgeType
    clock: Clock
    stats: NodeStats
    services: Mapping[str, Any] = field(default_factory=dict)
    parent_names: tuple[str, ...] = ()
    parent_stats: tuple[NodeStats, ...] = ()
    publish_output: Callable[[str, Callable[[], Any]], None] | None = None
    dbrps: tuple[tuple[str, str], ...] = ()

    def prop(self, name: str, default: Any = None) -> Any:
        """The value of a single-argument property (last call wins), else ``default``."""
        calls = self.properties.get(name)
        if not calls:
            return default
        last = calls[-1]
        if not last:
            return True
        return last[0] if len(last) == 1 else last

    def flag(self, name: str) -> bool:
        """Whether a flag property was set; ``.prop(FALSE)`` unsets it."""
        calls = self.properties.get(name)
        if not calls:
            return False
        last = calls[-1]
        return bool(last[0]) if last else True

    def calls(self, name: str) -> list[tuple[Any, ...]]:
        """The argument tuples of every call of a repeatable property."""
        return list(self.properties.get(name, ()))

    def service(self, name: str) -> Any:
        """A service the application offers (``topics``, ``config``, ...), or None."""
        return self.services.get(name)


class Node:
    """A synchronous operator over chunks.

    ``process`` receives a chunk (treat it as read-only: siblings share it) and
    returns the chunk for the node's children. The kernel sets ``stats``; a node bumps
    ``stats.errors`` for messages it drops on error.
    """

    stats: NodeStats

    def process(self, chunk: Chunk) -> Chunk:
        raise NotImplementedError

    def cardinality(self) -> int:
        """How many groups the node keeps state for (Kapacitor's working_cardinality)."""
        return 0

    def statistics(self) -> dict[str, int]:
        """Counters of this node beyond the kernel's own, shown with them in the task's
        DOT graph and ``/debug/vars`` (an alert node's ``alerts_triggered``, ...)."""
        return {}


Emit = Callable[[Chunk], Awaitable[None]]


class AsyncNode:
    """A node that runs in a task of its own.

    ``run`` reads ``(parent index, chunk)`` pairs from ``inbox`` until it is closed,
    and hands results to ``emit``, which pushes them through the node's children.
    """

    stats: NodeStats

    async def run(self, inbox: trio.MemoryReceiveChannel[tuple[int, Chunk]], emit: Emit) -> None:
        raise NotImplementedError

    def cardinality(self) -> int:
        return 0

    def statistics(self) -> dict[str, int]:
        """Node-specific counters, as :meth:`Node.statistics`."""
        return {}


Forward = Message | list[Message] | None


class Receiver:
    """The per-group logic of a :class:`GroupedNode`.

    Each method returns what to forward: a message, a list of messages, or None.
    The defaults forward barriers and delete-groups unchanged and reject the edge
    type a node does not handle.
    """

    def point(self, p: Point) -> Forward:
        raise PointError("this node does not accept points")

    def batch(self, b: Batch) -> Forward:
        raise PointError("this node does not accept batches")

    def barrier(self, b: Barrier) -> Forward:
        return b

    def delete_group(self, d: DeleteGroup) -> Forward:
        return d


class GroupedNode(Node):
    """Keeps a :class:`Receiver` per group and dispatches each message to it.

    Subclasses implement :meth:`new_receiver`. A :class:`PointError` raised by a
    receiver drops that message and counts an error; anything else fails the task.
    """

    def __init__(self) -> None:
        self.groups: dict[GroupID, Receiver] = {}
        self._logged_errors = 0

    def new_receiver(self, group: GroupID, first: Message) -> Receiver:
        raise NotImplementedError

    def cardinality(self) -> int:
        return len(self.groups)

    def process(self, chunk: Chunk) -> Chunk:
        out: list[Message] = []
        groups = self.groups
        for msg in chunk:
            group = msg.group
            receiver = groups.get(group)
            if receiver is None:
                if type(msg) is DeleteGroup:
                    out.append(msg)
                    continue
                receiver = groups[group] = self.new_receiver(group, msg)
            try:
                kind = type(msg)
                if kind is Point:
                    result = receiver.point(msg)
                elif kind is Batch:
                    result = receiver.batch(msg)
                elif kind is Barrier:
                    result = receiver.barrier(msg)
                else:
                    result = receiver.delete_group(msg)
                    del groups[group]
            except PointError as err:
                self.report_error(err)
                continue
            if result is None:
                continue
            if type(result) is list:
                out.extend(result)
            else:
                out.append(result)
        return out

    def report_error(self, err: Exception) -> None:
        """Count a dropped message; log the first few so a broken task is visible
        without flooding the log at stream rate."""
        self.stats.errors += 1
        if self._logged_errors < 10:
            self._logged_errors += 1
            log.warning("%s: %s", type(self).__name__, err)
