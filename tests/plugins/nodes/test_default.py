"""``|default()``: filling in missing fields and tags."""

from __future__ import annotations

from nodeutil import batch, node, point

from leyden.kernel import EdgeType


def default(plugins, edge_in=EdgeType.STREAM):
    props = {"field": [("v", 0.0), ("s", "none")], "tag": [("region", "unknown")]}
    return node(plugins, "default", edge_in=edge_in, props=props)


def test_missing_fields_and_empty_tags_are_filled(plugins):
    (out,) = default(plugins).process([point(0, {"x": 1}, {"region": ""})])
    assert (out.fields, out.tags) == ({"x": 1, "v": 0.0, "s": "none"}, {"region": "unknown"})


def test_present_values_stay_and_untouched_points_are_not_copied(plugins):
    p = point(0, {"v": 5, "s": "x"}, {"region": "us"})
    (out,) = default(plugins).process([p])
    assert out is p


def test_batches_get_their_tags_and_points_filled(plugins):
    (out,) = default(plugins, EdgeType.BATCH).process([batch(10, [point(1, {"v": 2})], {})])
    assert out.tags == {"region": "unknown"}
    assert out.points[0].fields == {"v": 2, "s": "none"}
