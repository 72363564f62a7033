"""union: time-ordered merging of parents, renaming, batches and end of input."""

from __future__ import annotations

from leyden.kernel import Barrier, Batch, DeleteGroup, EdgeType, Point
from leyden.plugins.nodes.union import UnionNode

S = 1_000_000_000


def pt(name, t, value=1):
    return Point(name, {"host": "x"}, {"value": value}, t * S)


def names_and_times(msgs):
    return [(m.name, m.time // S) for m in msgs]


async def test_parents_merge_in_time_order_once_all_have_reported(make_context, drive):
    d = drive(UnionNode(make_context("union", parents=2, properties={"rename": [("ab",)]})))
    await d.send([pt("a", 0)], 0)
    assert d.take() == []  # b has not reported: nothing is known about its times
    await d.send([pt("b", 5)], 1)
    assert names_and_times(d.take()) == [("ab", 0)]
    await d.send([pt("a", 10)], 0)
    assert names_and_times(d.take()) == [("ab", 5)]
    await d.send([pt("b", 15)], 1)
    await d.send([pt("a", 1200)], 0)
    await d.send([pt("b", 1200)], 1)
    assert names_and_times(d.take()) == [("ab", 10), ("ab", 15), ("ab", 1200), ("ab", 1200)]


async def test_without_rename_names_are_kept_and_chunks_interleave(make_context, drive):
    d = drive(UnionNode(make_context("union", parents=2)))
    await d.send([pt("a", 0), pt("a", 10), pt("a", 20)], 0)
    await d.send([pt("b", 5), pt("b", 15)], 1)
    assert names_and_times(d.take()) == [("a", 0), ("b", 5), ("a", 10), ("b", 15)]
    await d.close()
    assert names_and_times(d.take()) == [("a", 20)]


async def test_barriers_are_ordered_and_delete_groups_pass_at_once(make_context, drive):
    d = drive(UnionNode(make_context("union", parents=2)))
    await d.send([pt("a", 0), DeleteGroup("")], 0)
    assert [type(m) for m in d.take()] == [DeleteGroup]
    await d.send([Barrier("", 5 * S)], 1)
    out = d.take()
    assert [type(m) for m in out] == [Point]


async def test_batches_are_renamed(make_context, drive):
    node = UnionNode(
        make_context("union", parents=2, edge=EdgeType.BATCH, properties={"rename": [("both",)]})
    )
    d = drive(node)
    await d.send([Batch("cpu", {}, [pt("cpu", 0)], 60 * S)], 0)
    await d.send([Batch("mem", {}, [pt("mem", 0)], 60 * S)], 1)
    out = d.take()
    assert [(b.name, b.tmax // S) for b in out] == [("both", 60), ("both", 60)]
    assert out[0].points[0].name == "cpu"  # the points themselves are untouched
