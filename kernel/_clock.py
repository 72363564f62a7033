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

    The epoch offset is fixed when the clock is made (inside ``trio.run``), so under
    a MockClock the wall time advances exactly as the mock does.
    """

    def __init__(self, start_ns: int | None = None) -> None:
        self._trio_start = trio.current_time()
        self._wall_start = time.time_ns() if start_ns is None else start_ns

    def now_ns(self) -> int:
        """The current wall-clock time in nanoseconds since the Unix epoch."""
        return self._wall_start + int((trio.current_time() - self._trio_start) * NS)

    async def sleep_until_ns(self, when_ns: int) -> None:
        """Sleep until the wall clock reads ``when_ns``."""
        await trio.sleep_until(self._trio_start + (when_ns - self._wall_start) / NS)

    async def sleep_ns(self, duration_ns: int) -> None:
        await trio.sleep(duration_ns / NS)
