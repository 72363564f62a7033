"""``|shift()``: moving points and batches in time."""

from __future__ import annotations

from nodeutil import S, at, batch, node, point

from leyden.kernel import Barrier, EdgeType


def test_points_move_back_and_forth(plugins):
    p = point(100, {"v": 1})
    (back,) = node(plugins, "shift", -60 * S).process([p])
    (ahead,) = node(plugins, "shift", 5 * S).process([p])
    assert (back.time, ahead.time, p.time) == (at(40), at(105), at(100))
    assert back.fields is p.fields


def test_batches_move_with_their_points(plugins):
    (out,) = node(plugins, "shift", S, edge_in=EdgeType.BATCH).process([batch(10, [point(1, {"v": 1})])])
    assert (out.tmax, out.points[0].time) == (at(11), at(2))


def test_barriers_pass(plugins):
    b = Barrier("", at(1))
    assert node(plugins, "shift", S).process([b]) == [b]
