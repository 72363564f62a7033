"""The in-process engine: plugins, the script compiler and the task registry together.

This is the API the server is built on, and the one tests use directly: define a task
from a script, write line protocol or points, read an output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import trio

from ._clock import Clock
from ._errors import LineProtocolError, TaskError
from ._lineprotocol import SeriesCache, parse_lines
from ._messages import DBRP, Point
from ._pipeline import Pipeline, ScriptCompiler, TaskVar
from ._plugins import PluginRegistry
from ._registry import TaskRegistry, TaskState
from ._spec import EdgeType
from ._task import RunningTask


@dataclass(frozen=True)
class WriteResult:
    """What a write did: how many points went in, and the lines that were refused."""

    points: int
    errors: list[LineProtocolError]


class Kernel:
    """Run with ``kernel = await nursery.start(Kernel(...).run)``."""

    def __init__(
        self,
        plugins: PluginRegistry | None = None,
        services: Mapping[str, Any] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.plugins = plugins if plugins is not None else PluginRegistry.load()
        self.registry = TaskRegistry(services, clock)
        # kapacitorLoopback writes back through the same routing as every write
        self.registry.services.setdefault("loopback", self.registry)
        self.series_cache = SeriesCache()

    @property
    def services(self) -> dict[str, Any]:
        """Application services handed to every node: ``loopback`` (an object with
        ``async write(db, rp, points)``), and what the application adds (``config``,
        ``alerts``, ...)."""
        return self.registry.services

    @property
    def clock(self) -> Clock:
        return self.registry.clock

    @property
    def compiler(self) -> ScriptCompiler:
        if self.plugins.compiler is None:
            raise TaskError("no script compiler is loaded; is leyden.tick in plugins.lock?")
        return self.plugins.compiler

    async def run(self, *, task_status: trio.TaskStatus[Kernel] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            await nursery.start(self.registry.run)
            task_status.started(self)

    def compile(
        self,
        script: str,
        *,
        vars: Mapping[str, TaskVar] | None = None,
        task_type: EdgeType | None = None,
    ) -> Pipeline:
        """Parse and check a script; raises ``TickError`` with line and column.

        Checking includes building every node once (and throwing them away), so a
        node that rejects its configuration (``window`` with both ``period`` and
        ``periodCount``) is refused at define time, as Kapacitor does, not at start.
        """
        pipeline = self.compiler.compile(
            script, self.plugins, vars=vars, task_type=task_type, config=self.services.get("config")
        )
        RunningTask("check", pipeline, self.clock, self.services)
        return pipeline

    async def define(
        self,
        task_id: str,
        script: str,
        dbrps: list[DBRP] | None = None,
        *,
        vars: Mapping[str, TaskVar] | None = None,
        task_type: EdgeType | None = None,
    ) -> TaskState:
        """Compile a script and start it as a task."""
        pipeline = self.compile(script, vars=vars, task_type=task_type)
        return await self.start(task_id, pipeline, resolve_dbrps(pipeline, dbrps))

    async def start(self, task_id: str, pipeline: Pipeline, dbrps: list[DBRP]) -> TaskState:
        return await self.registry.start(task_id, pipeline, dbrps)

    async def stop(self, task_id: str) -> None:
        await self.registry.stop(task_id)

    async def write_lines(self, data: str | bytes, db: str, rp: str, precision: str = "ns") -> WriteResult:
        """Write line protocol; the good lines go in, the bad ones come back as errors.

        Raises ``ValueError`` for an unknown precision.
        """
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        points, errors = parse_lines(
            text, precision=precision, now_ns=self.clock.now_ns(), dbrp=(db, rp), cache=self.series_cache
        )
        await self.registry.write(db, rp, points)
        return WriteResult(len(points), errors)

    async def write_points(self, db: str, rp: str, points: list[Point]) -> None:
        await self.registry.write(db, rp, points)

    def task(self, task_id: str) -> TaskState | None:
        return self.registry.get(task_id)

    def output(self, task_id: str, name: str) -> Any:
        """The current JSON document of an ``httpOut`` node, or None."""
        return self.registry.output(task_id, name)


def resolve_dbrps(pipeline: Pipeline, dbrps: list[DBRP] | None) -> list[DBRP]:
    """A task reads either the dbrps it was given or those its script declares."""
    if dbrps and pipeline.dbrps:
        raise TaskError("cannot specify dbrp in both the script and the request")
    chosen = list(dbrps or pipeline.dbrps)
    if not chosen:
        raise TaskError("must specify dbrp")
    return chosen
