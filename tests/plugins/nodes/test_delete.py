"""``|delete()``: removing fields and tags, and grouping tags with them."""

from __future__ import annotations

from nodeutil import batch, node, point

from leyden.kernel import EdgeType


def delete(plugins, edge_in=EdgeType.STREAM):
    return node(plugins, "delete", edge_in=edge_in, props={"field": [("secret",)], "tag": [("dc",)]})


def test_fields_and_tags_are_removed(plugins):
    (out,) = delete(plugins).process([point(0, {"v": 1, "secret": 2}, {"host": "a", "dc": "x"})])
    assert (out.fields, out.tags) == ({"v": 1}, {"host": "a"})


def test_a_deleted_grouping_tag_leaves_the_group(plugins):
    p = point(0, {"v": 1}, {"host": "a", "dc": "x"}, group_by=("dc", "host"))
    (out,) = delete(plugins).process([p])
    assert (out.group, out.dims.tag_names) == ("host=a", ("host",))


def test_untouched_points_are_not_copied(plugins):
    p = point(0, {"v": 1}, {"host": "a"})
    assert delete(plugins).process([p])[0] is p


def test_batches(plugins):
    (out,) = delete(plugins, EdgeType.BATCH).process(
        [batch(10, [point(1, {"secret": 1, "v": 2}, {"dc": "x"})], {"dc": "x"})]
    )
    assert (out.tags, out.points[0].fields, out.points[0].tags) == ({}, {"v": 2}, {})
