"""The kernel clock follows trio's clock, so MockClock drives wall-clock timers."""

from __future__ import annotations

import trio

from leyden.kernel import Clock


async def test_clock_follows_mock_time(autojump_clock):
    clock = Clock(start_ns=10**18)
    assert clock.now_ns() == 10**18
    await trio.sleep(600)
    assert clock.now_ns() == 10**18 + 600 * 10**9
    await clock.sleep_until_ns(10**18 + 700 * 10**9)
    assert clock.now_ns() == 10**18 + 700 * 10**9
    await clock.sleep_ns(5 * 10**9)
    assert clock.now_ns() == 10**18 + 705 * 10**9
