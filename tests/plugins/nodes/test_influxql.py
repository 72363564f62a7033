"""InfluxQL function nodes on batch and stream edges (values computed by hand)."""

from __future__ import annotations

import pytest
from nodeutil import at, batch, node, point

from leyden.kernel import Barrier, Batch, EdgeType, Kernel, Point, TickError


def fn(plugins, name, *args, edge_in=EdgeType.BATCH, **props):
    return node(plugins, name, *args, edge_in=edge_in, props=props)


def window(values, end=100, tags=None, field="v"):
    """A batch of one point per value, at 10s, 20s, ...; values may be (value, extra fields)."""
    points = []
    for i, v in enumerate(values):
        fields = {field: v[0], **v[1]} if isinstance(v, tuple) else {field: v}
        points.append(point(10 * (i + 1), fields, tags or {}))
    return batch(end, points, tags)


def one(node_, message):
    (out,) = node_.process([message])
    return out


def test_aggregates_keep_kapacitor_types(plugins):
    ints = window([3, 4, 6])
    assert one(fn(plugins, "count", "v"), ints).fields == {"count": 3}
    assert type(one(fn(plugins, "sum", "v"), ints).fields["sum"]) is int
    assert one(fn(plugins, "sum", "v"), window([0.5, 0.25])).fields == {"sum": 0.75}
    mean = one(fn(plugins, "mean", "v"), ints).fields["mean"]
    assert (mean, type(mean)) == (13 / 3, float)
    assert one(fn(plugins, "spread", "v"), ints).fields == {"spread": 3}
    median = one(fn(plugins, "median", "v"), ints).fields["median"]
    assert (median, type(median)) == (4.0, float)
    assert one(fn(plugins, "median", "v"), window([1, 2, 3, 10])).fields == {"median": 2.5}


def test_an_aggregate_is_a_point_at_the_batch_time_with_group_tags(plugins):
    out = one(fn(plugins, "mean", "v"), window([1.0, 2.0], end=60, tags={"host": "a"}))
    assert type(out) is Point
    assert (out.time, out.tags, out.name) == (at(60), {"host": "a"}, "cpu")


def test_as_names_the_result(plugins):
    assert one(fn(plugins, "count", "v", **{"as": "n"}), window([1])).fields == {"n": 1}


def test_empty_batches(plugins):
    empty = Batch("cpu", {}, [], at(50))
    count = one(fn(plugins, "count", "v"), empty)
    assert (count.fields, count.time) == ({"count": 0}, at(50))
    assert one(fn(plugins, "sum", "v"), empty).fields == {"sum": 0.0}
    assert fn(plugins, "mean", "v").process([empty]) == []


def test_selectors_carry_the_selected_points_fields_and_tags(plugins):
    b = batch(
        100, [point(10, {"v": 5, "x": "a"}, {"host": "a"}), point(20, {"v": 9, "x": "b"}, {"host": "b"})]
    )
    out = one(fn(plugins, "max", "v"), b)
    assert (out.fields, out.tags, out.time) == ({"max": 9, "x": "b"}, {"host": "b"}, at(100))
    timed = one(fn(plugins, "min", "v", **{"as": "low", "usePointTimes": True}), b)
    assert (timed.fields, timed.time) == ({"low": 5, "x": "a"}, at(10))


def test_selector_ties(plugins):
    same_value = window([7, 9, 9])
    assert one(fn(plugins, "max", "v", usePointTimes=True), same_value).time == at(20)  # earliest
    same_time = batch(100, [point(10, {"v": 1}), point(10, {"v": 4}), point(20, {"v": 2})])
    assert one(fn(plugins, "first", "v"), same_time).fields == {"first": 4}  # larger value wins
    assert one(fn(plugins, "last", "v"), same_time).fields == {"last": 2}


def test_percentile_picks_a_point(plugins):
    b = window([(4.0, {"n": 1}), (1.0, {"n": 2}), (3.0, {"n": 3}), (2.0, {"n": 4})])
    # index floor(4 * 0.75 + 0.5) - 1 = 2 of the sorted values 1, 2, 3, 4
    out = one(fn(plugins, "percentile", "v", 75.0, usePointTimes=True), b)
    assert (out.fields, out.time) == ({"percentile": 3.0, "n": 3}, at(30))
    # integer percentiles lose their time, as in InfluxDB
    assert one(fn(plugins, "percentile", "v", 50.0, usePointTimes=True), window([5, 6])).time == at(100)
    assert fn(plugins, "percentile", "v", 0.0).process([window([1.0])]) == []


def test_mode_breaks_ties_by_time_as_influxdb_does(plugins):
    assert one(fn(plugins, "mode", "v"), window([2, 2, 5, 5])).fields == {"mode": 2}
    # InfluxDB compares where a tied run starts with where the leading run ended:
    # the 2s end at 40s, the 5s start at 20s, so 5 takes over
    assert one(fn(plugins, "mode", "v"), window([2, 5, 5, 2, 9])).fields == {"mode": 5}


def test_stddev(plugins):
    # mean 5, squared deviations 9 + 1 + 1 + 9 = 20, sample variance 20 / 3
    out = one(fn(plugins, "stddev", "v"), window([2, 4, 6, 8]))
    assert out.fields["stddev"] == pytest.approx((20 / 3) ** 0.5, rel=1e-15)
    assert one(fn(plugins, "stddev", "v"), window([2.0])).fields == {"stddev": 0.0}


def test_top_and_bottom_batches_in_time_order(plugins):
    b = window([(3, {}), (9, {}), (4, {}), (9, {}), (1, {})], tags={})
    top = one(fn(plugins, "top", 2, "v"), b)
    assert [(p.time, p.fields) for p in top.points] == [(at(100), {"top": 9}), (at(100), {"top": 9})]
    assert top.tmax == at(100)
    timed = one(fn(plugins, "top", 3, "v", usePointTimes=True), b)
    assert [(p.time, p.fields["top"]) for p in timed.points] == [(at(20), 9), (at(30), 4), (at(40), 9)]
    bottom = one(fn(plugins, "bottom", 2, "v", usePointTimes=True), b)
    assert [(p.time, p.fields["bottom"]) for p in bottom.points] == [(at(10), 3), (at(50), 1)]
    assert bottom.tmax == at(100)


def test_top_keeps_one_point_per_tag_and_the_point_tags(plugins):
    b = batch(
        100,
        [
            point(10, {"v": 5}, {"host": "a"}),
            point(20, {"v": 8}, {"host": "a"}),
            point(30, {"v": 7}, {"host": "b"}),
            point(40, {"v": 1}, {"host": "c"}),
        ],
    )
    out = one(fn(plugins, "top", 2, "v", "host"), b)
    assert [(p.fields["top"], p.tags) for p in out.points] == [(8, {"host": "a"}), (7, {"host": "b"})]


def test_distinct_in_order_of_first_appearance(plugins):
    out = one(fn(plugins, "distinct", "v"), window(["b", "a", "b", "c"]))
    assert [p.fields["distinct"] for p in out.points] == ["b", "a", "c"]
    assert all(p.time == at(100) for p in out.points)


def test_bad_values_are_errors_and_skipped(plugins):
    n = fn(plugins, "sum", "v")
    out = one(
        n, batch(100, [point(10, {"v": 1}), point(20, {"w": 1}), point(30, {"v": 2.5}), point(40, {"v": 2})])
    )
    assert out.fields == {"sum": 3}
    assert n.stats.errors == 2  # a missing field and a float among ints
    strings = fn(plugins, "mean", "v")
    assert strings.process([window(["a"])]) == []
    assert strings.stats.errors == 1


def test_on_a_stream_points_of_one_time_are_reduced_together(plugins):
    n = fn(plugins, "sum", "v", edge_in=EdgeType.STREAM)
    out = n.process(
        [point(1, {"v": 1}), point(1, {"v": 2}), point(2, {"v": 10}), Barrier("", at(3)), point(3, {"v": 1})]
    )
    assert [(type(m).__name__, getattr(m, "fields", None)) for m in out] == [
        ("Point", {"sum": 3}),
        ("Barrier", None),
        ("Point", {"sum": 10}),
    ]
    assert out[0].time == at(1)


def test_stream_transformations(plugins):
    def run(name, *args, values):
        n = fn(plugins, name, "v", *args, edge_in=EdgeType.STREAM)
        out = n.process([point(s, {"v": v}, {"host": "a"}) for s, v in values])
        return [((p.time - at(0)) // 10**9, p.fields[name]) for p in out], out

    diffs, out = run("difference", values=[(0, 1), (1, 4), (1, 9), (3, 2)])
    assert diffs == [(1, 3), (3, -2)]  # the second point at 1s is skipped
    assert out[0].tags == {}  # ungrouped: only the group's tags are kept
    assert run("cumulativeSum", values=[(0, 1), (1, 4), (2, 2)])[0] == [(0, 1), (1, 5), (2, 7)]
    assert run("movingAverage", 2, values=[(0, 1), (1, 4), (2, 2)])[0] == [(1, 2.5), (2, 3.0)]
    assert run("elapsed", 10**9 // 2, values=[(0, 1), (1, 4), (4, 2)])[0] == [(1, 2), (4, 6)]


def test_batch_transformations_restart_with_each_batch(plugins):
    n = fn(plugins, "difference", "v")
    first, second = n.process([window([1, 5, 6], end=40), window([10, 7], end=30)])
    assert [p.fields["difference"] for p in first.points] == [4, 1]
    assert [p.fields["difference"] for p in second.points] == [-3]
    assert (first.tmax, second.tmax) == (at(40), at(30))


def test_holt_winters_needs_enough_data(plugins):
    out = one(fn(plugins, "holtWinters", "v", 2, 0, 10 * 10**9), window([1.0]))
    assert (type(out), out.points) == (Batch, [])


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("|movingAverage('v', 0)", "movingAverage: the window must be greater than zero"),
        ("|elapsed('v', 0s)", "elapsed: the unit must be greater than zero"),
        ("|window().period(1s).every(1s)|top(0, 'v')", "top: the number of points must be greater than zero"),
        ("|window().period(1s).every(1s)|bottom(-2, 'v')", "bottom: the number of points must be greater"),
    ],
)
async def test_arguments_the_functions_cannot_work_with_are_refused_at_define_time(plugins, script, message):
    # they used to be accepted and fail the task on its first data ("list index out of range")
    with pytest.raises(TickError, match=message) as err:
        Kernel(plugins).compile("stream|from()" + script)
    assert (err.value.line, err.value.column) != (0, 0)
