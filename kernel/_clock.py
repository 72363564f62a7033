"""Wall-clock time as the kernel sees it.

Stream time is data time: points move windows forward. Only a few things need the
wall clock (deadman checks, batch schedules, idle barriers, stats), and they all ask
this clock, which reads trio's clock. Under ``trio.testing.MockClock`` a test can
therefore jump ten minutes ahead in no time, and a replay can run a clock of its own.
"""

from __future__ import annotations

import time

import trio

NS = 1_000_000_000


class Clock:
    """Wall-clock nanoseconds derived from trio's clock.

    The clock is anchored (wall time and trio time paired) on first use inside
    ``trio.run``, so under a MockClock the wall time advances exactly as the mock does;
    a clock may be made outside ``trio.run`` (e.g. to check a script) and used later.
    """

    def __init__(self, start_ns: int | None = None) -> None:
        self._start_ns = start_ns
        self._anchor: tuple[float, int] | None = None

    def _anchored(self) -> tuple[float, int]:
        if self._anchor is None:
            wall = time.time_ns() if self._start_ns is None else self._start_ns
            self._anchor = (trio.current_time(), wall)
        return self._anchor

    def now_ns(self) -> int:
        """The current wall-clock time in nanoseconds since the Unix epoch."""
        trio_start, wall_start = self._anchored()
        return wall_start + int((trio.current_time() - trio_start) * NS)

    async def sleep_until_ns(self, when_ns: int) -> None:
        """Sleep until the wall clock reads ``when_ns``."""
        trio_start, wall_start = self._anchored()
        await trio.sleep_until(trio_start + (when_ns - wall_start) / NS)

    async def sleep_ns(self, duration_ns: int) -> None:
        await trio.sleep(duration_ns / NS)
