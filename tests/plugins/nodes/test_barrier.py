"""barrier: idle and periodic barriers on the (mock) wall clock, late data, delete."""

from __future__ import annotations

import pytest
import trio

from leyden.kernel import Barrier, Batch, Clock, DeleteGroup, Dimensions, Point
from leyden.plugins.nodes.barrier import BarrierNode

S = 1_000_000_000
HOST = Dimensions(("host",))
START = 1_000_000 * S  # the mock wall clock's reading when the test starts


def pt(host, t):
    return Point("cpu", {"host": host}, {"value": 1}, t * S, group=f"host={host}", dims=HOST)


def seen(msgs):
    return [(type(m).__name__, m.group, getattr(m, "time", 0) // S) for m in msgs]


async def barrier(make_context, **props):
    properties = {k: [(v,)] for k, v in props.items()}
    return BarrierNode(make_context("barrier", properties=properties, clock=Clock(START)))


async def test_idle_groups_get_barriers_at_their_last_time_plus_idle(make_context, drive, autojump_clock):
    d = drive(await barrier(make_context, idle=5 * S))
    await d.send([pt("a", 100), pt("b", 100)])
    assert seen(d.take()) == [("Point", "host=a", 100), ("Point", "host=b", 100)]
    await trio.sleep(4)
    await d.send([pt("a", 101)])  # restarts a's timer
    assert len(d.take()) == 1
    await trio.sleep(1.5)
    assert seen(d.take()) == [("Barrier", "host=b", 105)]
    await trio.sleep(4)
    assert seen(d.take()) == [("Barrier", "host=a", 106)]
    await trio.sleep(5)
    assert seen(d.take()) == [("Barrier", "host=b", 110), ("Barrier", "host=a", 111)]
    await d.send([pt("a", 105), pt("a", 111)])  # older than a's last barrier: dropped
    assert seen(d.take()) == [("Point", "host=a", 111)]


async def test_incoming_barriers_count_as_data(make_context, drive, autojump_clock):
    d = drive(await barrier(make_context, idle=5 * S))
    await d.send([pt("a", 100), Barrier("host=a", 200 * S), pt("a", 150)])
    assert seen(d.take()) == [("Point", "host=a", 100), ("Barrier", "host=a", 200)]
    await trio.sleep(5.5)
    assert seen(d.take()) == [("Barrier", "host=a", 205)]


async def test_idle_with_delete_forgets_the_group_after_one_barrier(make_context, drive, autojump_clock):
    node = await barrier(make_context, idle=5 * S, delete=True)
    d = drive(node)
    await d.send([pt("a", 100)])
    d.take()
    await trio.sleep(20)
    assert seen(d.take()) == [("Barrier", "host=a", 105), ("DeleteGroup", "host=a", 0)]
    assert node.cardinality() == 0
    await d.send([pt("a", 50)])  # a new group now: nothing holds it back
    assert seen(d.take()) == [("Point", "host=a", 50)]


async def test_periodic_barriers_carry_the_wall_time(make_context, drive, autojump_clock):
    d = drive(await barrier(make_context, period=10 * S))
    await d.send([pt("a", 0)])
    d.take()
    await trio.sleep(25)
    start = START // S
    assert seen(d.take()) == [("Barrier", "host=a", start + 10), ("Barrier", "host=a", start + 20)]
    points = [pt("a", start + 5), pt("a", start + 21)]
    batch = Batch("cpu", {"host": "a"}, points, (start + 21) * S, group="host=a", dims=HOST)
    await d.send([batch], 0)
    (out,) = d.take()
    assert [p.time // S for p in out.points] == [start + 21]


async def test_delete_group_messages_stop_the_group_timer(make_context, drive, autojump_clock):
    node = await barrier(make_context, period=10 * S)
    d = drive(node)
    await d.send([pt("a", 0), DeleteGroup("host=a")])
    await trio.sleep(30)
    assert seen(d.take()) == [("Point", "host=a", 0), ("DeleteGroup", "host=a", 0)]


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({}, "greater than zero"),
        ({"idle": S, "period": S}, "cannot specify both"),
        ({"idle": -S}, "idle must be greater than zero"),
    ],
)
async def test_invalid_barriers(make_context, props, message):
    with pytest.raises(ValueError, match=message):
        await barrier(make_context, **props)
