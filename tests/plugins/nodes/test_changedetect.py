"""changeDetect: only changed values pass, per group; batches start afresh."""

from __future__ import annotations

import pytest

from leyden.kernel import Batch, DeleteGroup, Dimensions, NodeStats, Point
from leyden.plugins.nodes.changedetect import ChangeDetectNode

HOST = Dimensions(("host",))


def svc(host, t, **fields):
    return Point("svc", {"host": host}, fields, t, group=f"host={host}", dims=HOST)


async def detect(make_context, *fields):
    node = ChangeDetectNode(make_context("changeDetect", *fields))
    node.stats = NodeStats()
    return node


async def test_consecutive_duplicates_are_dropped_per_group(make_context):
    node = await detect(make_context, "code")
    points = [
        svc("a", 0, code=200),
        svc("a", 1, code=200),
        svc("b", 2, code=200),  # another group: its first point passes
        svc("a", 3, code=500),
        svc("a", 4, code=503),
        svc("a", 5, code=200),
        svc("a", 6, code=200.0),  # same value, another type: a change, as in Kapacitor
    ]
    assert [(p.tags["host"], p.time) for p in node.process(points)] == [
        ("a", 0),
        ("b", 2),
        ("a", 3),
        ("a", 4),
        ("a", 5),
        ("a", 6),
    ]


async def test_any_of_several_fields_and_missing_fields(make_context):
    node = await detect(make_context, "status", "code")
    points = [
        svc("a", 0, status="up", code=200),
        svc("a", 1, status="up", code=200),
        svc("a", 2, status="down", code=200),
        svc("a", 3, code=200),  # status missing: judged on code alone
    ]
    assert [p.time for p in node.process(points)] == [0, 2]
    assert node.stats.errors == 1


async def test_delete_group_and_batches(make_context):
    node = await detect(make_context, "code")
    node.process([svc("a", 0, code=1)])
    node.process([DeleteGroup("host=a")])
    assert [p.time for p in node.process([svc("a", 1, code=1)])] == [1]
    batch = Batch("svc", {"host": "a"}, [svc("a", 2, code=1), svc("a", 3, code=1), svc("a", 4, code=2)], 5)
    (out,) = node.process([batch])
    assert [p.time for p in out.points] == [2, 4]


async def test_at_least_one_field(make_context):
    with pytest.raises(ValueError, match="at least one field"):
        await detect(make_context)
