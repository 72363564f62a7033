"""``|barrier()``: move stream time forward when data stops coming, on the wall clock.

Nothing ends a stream, so a window whose group falls silent never closes. A
barrier node tells its children that time has passed: ``.idle(d)`` emits, for a
group silent for ``d`` of wall time, a barrier at the group's last data time plus
``d``; ``.period(d)`` emits a barrier at the current wall time every ``d``. With
``.delete(TRUE)`` each barrier is followed by a delete-group message, so the nodes
below forget the group (for tags of ever-growing cardinality)::

    stream
        |from()
            .measurement('cpu')
            .groupBy('host')
        |barrier()
            .idle(5s)
            .delete(TRUE)
        |window()
            .period(10s)
            .every(10s)
        |count('value')

Messages older than the group's last barrier are dropped: the children were told
that time is over. Wall time is the kernel's clock, so tests run it on a MockClock.
"""

from __future__ import annotations

import heapq

import trio

from leyden.kernel import (
    AsyncNode,
    Barrier,
    Batch,
    Chunk,
    DeleteGroup,
    Emit,
    GroupID,
    Message,
    NodeContext,
    NodeSpec,
    PropertySpec,
    ValueType,
    hookimpl,
    params,
)

#: Before every data time: what a group's last barrier is until it has one.
_NEVER = -(1 << 63) - 1

NS = 1_000_000_000


class _GroupTimer:
    """One group's barrier state: data times and the wall-clock deadline."""

    __slots__ = ("deadline", "last_barrier", "last_time")

    def __init__(self, deadline: int) -> None:
        self.deadline = deadline  # wall ns of the next barrier
        self.last_barrier = _NEVER  # data time of the last barrier sent
        self.last_time = _NEVER  # data time of the last message passed on (idle mode)


class BarrierNode(AsyncNode):
    """Emits barriers per group on the wall clock; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        idle: int = ctx.prop("idle", 0)
        period: int = ctx.prop("period", 0)
        if idle and period:
            raise ValueError("cannot specify both idle and period")
        if not period and idle <= 0:
            raise ValueError("idle must be greater than zero")
        if not idle and period <= 0:
            raise ValueError("period must be greater than zero")
        self.idle = idle
        self.period = period
        self.delete = ctx.flag("delete")
        self.clock = ctx.clock
        self.groups: dict[GroupID, _GroupTimer] = {}
        self.deadlines: list[tuple[int, GroupID]] = []  # heap; entries may be stale

    def cardinality(self) -> int:
        return len(self.groups)

    async def run(self, inbox: trio.MemoryReceiveChannel[tuple[int, Chunk]], emit: Emit) -> None:
        while True:
            wake = self.deadlines[0][0] if self.deadlines else None
            try:
                if wake is None:
                    _src, chunk = await inbox.receive()
                else:
                    with trio.move_on_after(max(0, wake - self.clock.now_ns()) / NS) as scope:
                        _src, chunk = await inbox.receive()
                    if scope.cancelled_caught:
                        await emit(self.fire(self.clock.now_ns()))
                        continue
            except trio.EndOfChannel:
                return
            now = self.clock.now_ns()
            out = self.receive(chunk, now)
            out.extend(self.fire(now))
            if out:
                await emit(out)

    def receive(self, chunk: Chunk, now: int) -> list[Message]:
        """Pass on the messages that are not older than their group's last barrier,
        restarting the idle timers of their groups."""
        out: list[Message] = []
        for msg in chunk:
            if type(msg) is DeleteGroup:
                self.groups.pop(msg.group, None)
                out.append(msg)
                continue
            state = self.groups.get(msg.group)
            if state is None:
                state = self.groups[msg.group] = _GroupTimer(now + (self.period or self.idle))
                heapq.heappush(self.deadlines, (state.deadline, msg.group))
            kept = self._admit(state, msg)
            if kept is None:
                continue
            if self.idle:
                state.deadline = now + self.idle
                if type(kept) is Barrier:
                    state.last_barrier = kept.time
                state.last_time = kept.time  # type: ignore[union-attr]
            out.append(kept)
        return out

    def _admit(self, state: _GroupTimer, msg: Message) -> Message | None:
        last = state.last_barrier
        if type(msg) is Batch:
            if last == _NEVER:
                return msg
            points = [p for p in msg.points if p.time >= last]
            if not points:
                return None
            return msg if len(points) == len(msg.points) else msg.replace(points=points)
        return msg if msg.time >= last else None  # type: ignore[union-attr]

    def fire(self, now: int) -> list[Message]:
        """The barriers (and delete-groups) of every group whose deadline has passed."""
        out: list[Message] = []
        deadlines, groups = self.deadlines, self.groups
        while deadlines and deadlines[0][0] <= now:
            when, gid = heapq.heappop(deadlines)
            state = groups.get(gid)
            if state is None:
                continue
            if state.deadline > when:  # restarted by later data: wait for the new deadline
                heapq.heappush(deadlines, (state.deadline, gid))
                continue
            if self.idle:
                t = state.last_time + self.idle
                state.last_time = t
                state.deadline = now + self.idle
            else:
                t = now
                state.deadline = when + self.period
            state.last_barrier = t
            out.append(Barrier(gid, t))
            if self.delete:
                out.append(DeleteGroup(gid))
                del groups[gid]
            else:
                heapq.heappush(deadlines, (state.deadline, gid))
        return out


SPEC = NodeSpec(
    name="barrier",
    kind="barrier",
    factory=BarrierNode,
    properties={
        "idle": PropertySpec("idle", params(ValueType.DURATION), doc="Barrier after this much silence."),
        "period": PropertySpec("period", params(ValueType.DURATION), doc="Barrier at this interval."),
        "delete": PropertySpec(
            "delete", params(ValueType.BOOL, min_args=0), doc="Delete the group after each barrier."
        ),
    },
    doc="Emits barriers on the wall clock when data stops coming.",
)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [SPEC]
