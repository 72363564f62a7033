"""The task registry (Kapacitor's TaskMaster): starts, stops and feeds running tasks.

Every written chunk is routed to the stream tasks whose dbrps match, each getting the
same (shared, immutable) points. A task that fails is stopped alone: its error is
kept for the API, its routes and outputs disappear, and the other tasks go on.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import trio

from ._clock import Clock
from ._errors import TaskError
from ._messages import DBRP, Chunk, Point
from ._pipeline import Pipeline
from ._spec import EdgeType
from ._task import RunningTask

log = logging.getLogger("leyden.registry")
_name = attrgetter("name")

#: Points per chunk when a large write is split up.
MAX_CHUNK = 10_000


@dataclass
class TaskState:
    """What the registry knows of one started task."""

    id: str
    pipeline: Pipeline
    dbrps: list[DBRP]
    running: RunningTask | None = None
    error: str = ""
    cancel_scope: trio.CancelScope = field(default_factory=trio.CancelScope)
    done: trio.Event = field(default_factory=trio.Event)

    @property
    def executing(self) -> bool:
        return self.running is not None


class TaskRegistry:
    """Owns the nursery that every running task lives in.

    Start it with ``await nursery.start(registry.run)``; it hands back itself and
    runs until cancelled, taking every task down with it.
    """

    def __init__(self, services: Mapping[str, Any] | None = None, clock: Clock | None = None) -> None:
        self.services: dict[str, Any] = dict(services or {})
        self._clock = clock
        self._nursery: trio.Nursery | None = None
        self.tasks: dict[str, TaskState] = {}
        self._routes: dict[DBRP, list[tuple[str, trio.MemorySendChannel[tuple[int, Chunk]]]]] = {}
        #: Points written per ``(database, retention policy, measurement)``, read by
        #: or not (Kapacitor's ``ingress`` statistics).
        self.ingress: Counter[tuple[str, str, str]] = Counter()

    @property
    def clock(self) -> Clock:
        if self._clock is None:
            self._clock = Clock()
        return self._clock

    async def run(self, *, task_status: trio.TaskStatus[TaskRegistry] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            self.clock.now_ns()  # anchor the clock to this run
            task_status.started(self)
            await trio.sleep_forever()

    # -- lifecycle ------------------------------------------------------------------

    async def start(self, task_id: str, pipeline: Pipeline, dbrps: list[DBRP]) -> TaskState:
        """Build and start a task; raises :class:`TaskError` if it cannot be built."""
        if self._nursery is None:
            raise TaskError("the task registry is not running")
        if task_id in self.tasks:
            await self.stop(task_id)
        try:
            running = RunningTask(task_id, pipeline, self.clock, self.services, dbrps)
        except Exception as err:
            raise TaskError(f"failed to start task {task_id}: {err}") from err
        state = TaskState(task_id, pipeline, list(dbrps), running)
        self.tasks[task_id] = state
        await self._nursery.start(self._supervise, state)
        if pipeline.type is EdgeType.STREAM:
            for source in running.sources:
                for dbrp in state.dbrps:
                    self._routes.setdefault(dbrp, []).append((task_id, source.send))
        return state

    async def stop(self, task_id: str) -> None:
        """Stop a task and wait until it is gone; unknown ids are ignored."""
        state = self.tasks.pop(task_id, None)
        if state is None:
            return
        self._unroute(task_id)
        state.cancel_scope.cancel()
        await state.done.wait()

    async def _supervise(self, state: TaskState, *, task_status: trio.TaskStatus[None]) -> None:
        running = state.running
        assert running is not None
        try:
            with state.cancel_scope:
                await running.run(task_status=task_status)
        except Exception as err:
            state.error = _describe(err)
            log.error("task %s stopped: %s", state.id, state.error)
            self._unroute(state.id)
        finally:
            state.running = None
            state.done.set()

    def _unroute(self, task_id: str) -> None:
        for dbrp, targets in list(self._routes.items()):
            kept = [t for t in targets if t[0] != task_id]
            if kept:
                self._routes[dbrp] = kept
            else:
                del self._routes[dbrp]

    # -- data in --------------------------------------------------------------------

    def wants(self, db: str, rp: str) -> bool:
        """Whether any running task reads this database and retention policy."""
        return (db, rp) in self._routes

    async def write(self, db: str, rp: str, points: list[Point]) -> None:
        """Hand points to every task reading ``db.rp``; waits while a task is full."""
        ingress = self.ingress
        for name, count in Counter(map(_name, points)).items():
            ingress[(db, rp, name)] += count
        targets = self._routes.get((db, rp))
        if not targets or not points:
            return
        chunks = (
            [points]
            if len(points) <= MAX_CHUNK
            else [points[i : i + MAX_CHUNK] for i in range(0, len(points), MAX_CHUNK)]
        )
        for chunk in chunks:
            for _task_id, send in list(targets):
                try:
                    await send.send((0, chunk))
                except (trio.BrokenResourceError, trio.ClosedResourceError):
                    continue  # the task stopped meanwhile

    # -- inspection -----------------------------------------------------------------

    def get(self, task_id: str) -> TaskState | None:
        return self.tasks.get(task_id)

    def output(self, task_id: str, name: str) -> Any:
        """An httpOut-style output of a running task, or None."""
        state = self.tasks.get(task_id)
        if state is None or state.running is None:
            return None
        return state.running.output(name)


def _describe(err: BaseException) -> str:
    """The message a user sees for a failed task, unwrapping exception groups."""
    while isinstance(err, BaseExceptionGroup) and len(err.exceptions) == 1:
        err = err.exceptions[0]
    return str(err) or type(err).__name__
