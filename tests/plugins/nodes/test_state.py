"""stateDuration and stateCount: per group, reset outside the state and per batch."""

from __future__ import annotations

import pytest

from leyden.kernel import Batch, Dimensions, NodeStats, Point
from leyden.kernel.testing import open_task
from leyden.plugins.nodes.state import state_count, state_duration
from leyden.tick.lambdas import compile_lambda
from leyden.tick.parser import parse_lambda

S = 1_000_000_000
HOST = Dimensions(("host",))


def cpu(host, t, value):
    return Point("cpu", {"host": host}, {"value": value}, t * S, group=f"host={host}", dims=HOST)


@pytest.fixture
def above_90(plugins):
    return compile_lambda(parse_lambda('"value" > 90'), functions=plugins.functions)


async def make(factory, make_context, predicate, **props):
    node = factory(make_context("state", predicate, properties={k: [(v,)] for k, v in props.items()}))
    node.stats = NodeStats()
    return node


async def test_duration_since_the_state_began_in_units(make_context, above_90):
    node = await make(state_duration, make_context, above_90, unit=60 * S, **{"as": "minutes"})
    points = [cpu("a", 0, 50), cpu("a", 30, 95), cpu("b", 40, 99), cpu("a", 120, 97), cpu("a", 150, 10)]
    out = node.process(points)
    assert [(p.tags["host"], p.fields["minutes"]) for p in out] == [
        ("a", -1.0),
        ("a", 0.0),
        ("b", 0.0),
        ("a", 1.5),
        ("a", -1.0),
    ]
    assert out[1].fields == {"value": 95, "minutes": 0.0}
    assert points[1].fields == {"value": 95}  # the input point is untouched


async def test_count_of_consecutive_points_and_failing_points(make_context, above_90):
    node = await make(state_count, make_context, above_90)
    points = [cpu("a", 0, 95), cpu("a", 1, 96), cpu("a", 2, 10), cpu("a", 3, 99)]
    bad = Point("cpu", {"host": "a"}, {"other": 1}, 4 * S, group="host=a", dims=HOST)
    out = node.process([*points, bad])
    assert [p.fields["state_count"] for p in out] == [1, 2, -1, 1]
    assert node.stats.errors == 1  # "value" is missing: dropped


async def test_batches_start_afresh(make_context, above_90):
    node = await make(state_count, make_context, above_90)
    node.process([cpu("a", 0, 95)])
    batch = Batch("cpu", {"host": "a"}, [cpu("a", 1, 95), cpu("a", 2, 96)], 2 * S, group="host=a", dims=HOST)
    (out,) = node.process([batch])
    assert [p.fields["state_count"] for p in out.points] == [1, 2]


async def test_a_non_boolean_lambda_drops_the_point(make_context, plugins):
    node = await make(
        state_count, make_context, compile_lambda(parse_lambda('"value" * 2'), functions=plugins.functions)
    )
    assert node.process([cpu("a", 0, 1.0)]) == []
    assert node.stats.errors == 1


SCRIPT = """
stream
    |from()
        .measurement('cpu')
    |stateDuration(lambda: "value" > 90)
        .unit(1ms)
    |stateCount(lambda: "value" > 90)
        .as('n')
    |httpOut('out')
"""


async def test_properties_from_a_script(plugins, autojump_clock):
    async with open_task(SCRIPT, plugins=plugins) as task:
        await task.write("cpu value=95 1000\ncpu value=96 1002\n", precision="ms")
        (row,) = task.output("out")["series"]
        assert row["columns"] == ["time", "n", "state_duration", "value"]
        assert row["values"] == [["1970-01-01T00:00:01.002Z", 2, 2.0, 96.0]]
