"""flatten: one point per time with a field per tag value, on streams and batches."""

from __future__ import annotations

from leyden.kernel import Barrier, Batch, DeleteGroup, Dimensions, EdgeType, NodeStats, Point
from leyden.plugins.nodes.flatten import FlattenNode

S = 1_000_000_000
HOST = Dimensions(("host",))


def disk(path, used, free, t):
    tags = {"host": "a", "path": path}
    return Point("disk", tags, {"used": used, "free": free}, t * S, group="host=a", dims=HOST)


async def flatten(make_context, edge=EdgeType.STREAM, **props):
    properties = {k: [v if isinstance(v, tuple) else (v,)] for k, v in props.items()}
    node = FlattenNode(make_context("flatten", edge=edge, properties=properties))
    node.stats = NodeStats()
    return node


async def test_points_of_a_time_become_one_when_the_next_time_starts(make_context):
    node = await flatten(make_context, on="path")
    assert node.process([disk("root", 10, 90, 0), disk("var", 20, 80, 0)]) == []
    (out,) = node.process([disk("root", 11, 89, 10)])
    assert (out.name, out.tags, out.time, out.group, out.dims) == ("disk", {"host": "a"}, 0, "host=a", HOST)
    assert out.fields == {"root.used": 10, "root.free": 90, "var.used": 20, "var.free": 80}


async def test_several_tags_a_delimiter_and_dropped_field_names(make_context):
    node = await flatten(make_context, on=("host", "path"), delimiter="_", dropOriginalFieldName=())
    p1 = Point("m", {"host": "A", "port": "80", "path": "x"}, {"bytes": 1}, 0)
    p2 = Point("m", {"host": "B", "path": "y"}, {"bytes": 2}, 0)
    (out,) = node.process([p1, p2, Point("m", {"host": "A", "path": "x"}, {"bytes": 3}, S)])
    assert out.fields == {"A_x": 1, "B_y": 2}


async def test_tolerance_and_points_missing_a_tag(make_context):
    node = await flatten(make_context, on="port", tolerance=5 * S)
    points = [
        Point("m", {"port": "80"}, {"b": 1}, 1 * S),
        Point("m", {}, {"b": 9}, 2 * S),  # no port tag: left out, counted
        Point("m", {"port": "443"}, {"b": 2}, 3 * S),  # rounds to :05, a new time
        Point("m", {"port": "443"}, {"b": 3}, 11 * S),
    ]
    out = node.process(points)
    assert [(p.time // S, p.fields) for p in out] == [(0, {"80.b": 1}), (5, {"443.b": 2})]
    assert node.stats.errors == 1


async def test_batches_flatten_time_by_time(make_context):
    node = await flatten(make_context, edge=EdgeType.BATCH, on="path")
    points = [disk("root", 10, 90, 0), disk("var", 20, 80, 0), disk("root", 11, 89, 10)]
    (out,) = node.process([Batch("disk", {"host": "a"}, points, 60 * S, group="host=a", dims=HOST)])
    assert (out.name, out.tags, out.tmax) == ("disk", {"host": "a"}, 60 * S)
    assert [(p.time // S, p.tags, p.fields) for p in out.points] == [
        (0, {"host": "a"}, {"root.used": 10, "root.free": 90, "var.used": 20, "var.free": 80}),
        (10, {"host": "a"}, {"root.used": 11, "root.free": 89}),
    ]


async def test_a_group_may_start_with_a_barrier(make_context):
    node = await flatten(make_context, on="path")
    out = node.process(
        [Barrier("host=a", 0), disk("root", 1, 2, 0), disk("root", 3, 4, 10), DeleteGroup("host=a")]
    )
    assert [type(m) for m in out] == [Barrier, Point, DeleteGroup]
    assert (out[1].name, out[1].fields) == ("disk", {"root.used": 1, "root.free": 2})
