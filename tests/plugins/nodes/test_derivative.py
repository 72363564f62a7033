"""``|derivative()``: rates between consecutive points, per group and per batch."""

from __future__ import annotations

from nodeutil import S, at, batch, node, point

from leyden.kernel import EdgeType


def derivative(plugins, edge_in=EdgeType.STREAM, **props):
    return node(plugins, "derivative", "v", edge_in=edge_in, props=props)


def rates(out, field="v"):
    return [((p.time - at(0)) // S, p.fields[field]) for p in out]


def test_rate_per_second_replaces_the_field_by_default(plugins):
    d = derivative(plugins)
    out = d.process([point(0, {"v": 10, "x": 1}), point(10, {"v": 30, "x": 2}), point(15, {"v": 20, "x": 3})])
    assert rates(out) == [(10, 2.0), (15, -2.0)]
    assert out[0].fields["x"] == 2  # the other fields stay


def test_unit_as_and_non_negative(plugins):
    d = derivative(plugins, unit=60 * S, nonNegative=True, **{"as": "rate"})
    out = d.process([point(0, {"v": 10}), point(30, {"v": 5}), point(60, {"v": 20})])
    # 5 - 10 is dropped but still becomes the previous value: (20 - 5) / 0.5 minutes
    assert rates(out, "rate") == [(60, 30.0)]
    assert out[0].fields["v"] == 20


def test_groups_are_independent(plugins):
    d = derivative(plugins)
    a = [point(s, {"v": s * 2}, {"host": "a"}, group_by=("host",)) for s in (0, 1)]
    b = [point(s, {"v": s * 3}, {"host": "b"}, group_by=("host",)) for s in (0, 1)]
    assert rates(d.process([a[0], b[0], a[1], b[1]])) == [(1, 2.0), (1, 3.0)]


def test_bad_values_and_zero_elapsed_are_errors(plugins):
    d = derivative(plugins)
    out = d.process([point(0, {"v": 1}), point(0, {"v": 2}), point(1, {"v": "x"}), point(2, {"v": 4})])
    # same time: error, but the point becomes the previous one; the string is skipped
    assert rates(out) == [(2, 1.0)]
    assert d.stats.errors == 2


def test_each_batch_starts_over(plugins):
    d = derivative(plugins, edge_in=EdgeType.BATCH)
    first, second = d.process(
        [
            batch(30, [point(0, {"v": 1}), point(10, {"v": 3})]),
            batch(60, [point(30, {"v": 5}), point(40, {"v": 4})]),
        ]
    )
    assert (rates(first.points), rates(second.points)) == ([(10, 0.2)], [(40, -0.1)])
    assert (first.tmax, second.tmax) == (at(30), at(60))
