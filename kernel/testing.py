"""Unit-test TICKscripts without a server.

Kapacitor users have long had to start a server to see what a script does. Here a
pytest-trio test runs the script in-process, feeds it line protocol and reads its
``httpOut`` outputs; with pytest-trio's ``autojump_clock`` fixture (a
``trio.testing.MockClock``) anything that waits on the wall clock runs instantly::

    from leyden.kernel.testing import open_task

    SCRIPT = '''
    stream
        |from().measurement('cpu')
        |window().period(10s).every(10s)
        |count('value')
        |httpOut('out')
    '''

    async def test_counts(autojump_clock):
        async with open_task(SCRIPT) as task:
            await task.write("cpu value=1 0\\ncpu value=2 5\\ncpu value=3 10\\n", precision="s")
            assert task.output("out")["series"][0]["values"] == [["1970-01-01T00:00:10Z", 2]]
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import trio
import trio.testing

from ._errors import LineProtocolError
from ._kernel import Kernel, resolve_dbrps
from ._messages import DBRP, Point
from ._pipeline import TaskVar
from ._plugins import PluginRegistry
from ._registry import TaskState

DEFAULT_DBRP: DBRP = ("test", "autogen")


class TaskHarness:
    """One running task and the kernel around it; see :func:`open_task`."""

    def __init__(self, kernel: Kernel, state: TaskState) -> None:
        self.kernel = kernel
        self.state = state

    @property
    def error(self) -> str:
        """Why the task stopped, or "" while it runs."""
        return self.state.error

    async def write(
        self,
        lines: str,
        *,
        precision: str = "ns",
        db: str | None = None,
        rp: str | None = None,
    ) -> list[LineProtocolError]:
        """Write line protocol to the task and wait until it has been processed.

        Returns the errors of malformed lines; the good lines are written.
        """
        default_db, default_rp = self.state.dbrps[0]
        written = await self.kernel.write_lines(lines, db or default_db, rp or default_rp, precision)
        await self.settle()
        return written.errors

    async def write_points(
        self, points: list[Point], *, db: str | None = None, rp: str | None = None
    ) -> None:
        default_db, default_rp = self.state.dbrps[0]
        await self.kernel.write_points(db or default_db, rp or default_rp, points)
        await self.settle()

    async def settle(self) -> None:
        """Wait until every task of the kernel is idle."""
        await trio.testing.wait_all_tasks_blocked()

    def output(self, name: str) -> Any:
        """The current JSON document of the ``httpOut(name)`` node; raises if there is none."""
        value = self.kernel.output(self.state.id, name)
        if value is None:
            raise KeyError(f"task has no output named {name!r} (or it stopped: {self.error or 'running'})")
        return value

    def outputs(self) -> dict[str, Any]:
        """Every output of the task by name."""
        running = self.state.running
        return {} if running is None else {name: running.output(name) for name in running.outputs}


@asynccontextmanager
async def open_task(
    script: str,
    *,
    dbrps: list[DBRP] | None = None,
    vars: Mapping[str, TaskVar] | None = None,
    plugins: PluginRegistry | None = None,
    services: Mapping[str, Any] | None = None,
    task_id: str = "test",
) -> AsyncIterator[TaskHarness]:
    """Run ``script`` as a task for the duration of the ``async with`` block.

    The task reads ``dbrps`` (default ``test.autogen``) unless the script declares its
    own ``dbrp``. Raises ``TickError`` for an invalid script.
    """
    kernel = Kernel(plugins, services)
    pipeline = kernel.compile(script, vars=vars)
    if dbrps is None and not pipeline.dbrps:
        dbrps = [DEFAULT_DBRP]
    try:
        async with trio.open_nursery() as nursery:
            await nursery.start(kernel.run)
            state = await kernel.start(task_id, pipeline, resolve_dbrps(pipeline, dbrps))
            try:
                yield TaskHarness(kernel, state)
            finally:
                nursery.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        # A failing assertion in the test body should read as itself, not as a group.
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from None
        raise
