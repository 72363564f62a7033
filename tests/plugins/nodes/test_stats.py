"""stats: per-group counts of the parent's output, on the (mock) wall clock."""

from __future__ import annotations

import trio

from leyden.kernel import Batch, Clock, Dimensions, Point
from leyden.plugins.nodes.stats import StatsNode

S = 1_000_000_000
HOST = Dimensions(("host",))
START = 1_000_003 * S  # the mock wall clock's reading when the test starts


def pt(host, t=0):
    return Point("cpu", {"host": host, "cpu": "0"}, {"value": 1}, t, group=f"host={host}", dims=HOST)


def report(msgs):
    return [(m.name, m.tags, m.fields, (m.time - START) / S, m.group) for m in msgs]


async def test_aligned_counts_per_group(make_context, drive, autojump_clock):
    ctx = make_context("stats", 10 * S, properties={"align": [()]}, clock=Clock(START))
    d = drive(StatsNode(ctx))
    await trio.sleep(7.5)
    assert report(d.take()) == [("stats", {}, {"emitted": 0}, 7, "")]
    await d.send([pt("a"), pt("a"), pt("a")])
    await d.send([Batch("cpu", {"host": "b"}, [pt("b"), pt("b")], 0, group="host=b", dims=HOST)])
    await trio.sleep(10)
    assert report(d.take()) == [
        ("stats", {"host": "a"}, {"emitted": 3}, 17, "host=a"),
        ("stats", {"host": "b"}, {"emitted": 2}, 17, "host=b"),
    ]
    await d.send([pt("b")])
    await trio.sleep(10)
    assert [m.fields["emitted"] for m in d.take()] == [3, 3]


async def test_unaligned_ticks_start_with_the_task(make_context, drive, autojump_clock):
    d = drive(StatsNode(make_context("stats", 10 * S, clock=Clock(START))))
    await trio.sleep(25)
    assert [(m.time - START) / S for m in d.take()] == [10, 20]
