"""``|eval()``: results as fields or tags, keep, chained names, errors, state per group."""

from __future__ import annotations

import pytest
from nodeutil import batch, lambdas, node, point

from leyden.kernel import Barrier, EdgeType, Point


def evaluate(plugins, *texts, edge_in=EdgeType.STREAM, **props):
    return node(plugins, "eval", *lambdas(plugins, *texts), edge_in=edge_in, props=props)


def test_results_replace_the_fields_and_tags_stay(plugins):
    e = evaluate(plugins, '"v" * 2.0', **{"as": ("double",)})
    (out,) = e.process([point(0, {"v": 1.5, "w": 1}, {"host": "a"})])
    assert (out.fields, out.tags) == ({"double": 3.0}, {"host": "a"})


def test_later_lambdas_see_earlier_results_unless_the_point_has_the_name(plugins):
    e = evaluate(plugins, '"v" + 1', '"a" * 10', '"w" + 1', '"w" * 10', **{"as": ("a", "b", "w", "c")})
    (out,) = e.process([point(0, {"v": 1, "w": 5})])
    # "w" is a field of the point: the third result does not shadow it for the fourth
    assert out.fields == {"a": 2, "b": 20, "w": 6, "c": 50}


def test_keep_all_and_keep_some(plugins):
    p = point(0, {"v": 1, "w": 2, "x": 3})
    (all_kept,) = evaluate(plugins, '"v" + 1', **{"as": ("v",), "keep": True}).process([p])
    (some,) = evaluate(plugins, '"v" + 1', **{"as": ("r",), "keep": ("x", "r")}).process([p])
    assert all_kept.fields == {"v": 2, "w": 2, "x": 3}
    assert some.fields == {"x": 3, "r": 2}


def test_keeping_a_missing_field_drops_the_point(plugins):
    e = evaluate(plugins, '"v" + 1', **{"as": ("r",), "keep": ("nope",)})
    assert e.process([point(0, {"v": 1})]) == []
    assert e.stats.errors == 1


def test_tags_take_string_results(plugins):
    e = evaluate(plugins, 'string("v")', '"v" * 2', **{"as": ("vs", "v2"), "tags": ("vs",)})
    (out,) = e.process([point(0, {"v": 7}, {"host": "a"})])
    assert (out.tags, out.fields) == ({"host": "a", "vs": "7"}, {"v2": 14})
    bad = evaluate(plugins, '"v" * 2', **{"as": ("t",), "tags": ("t",)})
    assert bad.process([point(0, {"v": 7})]) == []
    assert bad.stats.errors == 1


@pytest.mark.parametrize("quiet", [False, True])
def test_errors_drop_the_point_quiet_or_not(plugins, quiet, caplog):
    props = {"as": ("r",), "quiet": True} if quiet else {"as": ("r",)}
    e = evaluate(plugins, '"v" + "missing"', **props)
    assert e.process([point(0, {"v": 1}), point(1, {"v": 2, "missing": 1})])[0].fields == {"r": 3}
    assert e.stats.errors == 1
    assert ("error evaluating expression" in caplog.text) is not quiet


def test_a_chunk_of_points_and_barriers_keeps_its_order(plugins):
    # a lambda that reads nothing evaluates on anything: barriers must still pass as they are
    e = evaluate(plugins, "1.5", **{"as": ("r",)})
    out = e.process([point(0, {"v": 1}), Barrier("", 5), point(1, {"v": 2})])
    assert [type(m) for m in out] == [Point, Barrier, Point]
    assert [m.fields for m in out if type(m) is Point] == [{"r": 1.5}, {"r": 1.5}]


def test_stateful_lambdas_keep_state_per_group(plugins):
    e = evaluate(plugins, "count()", **{"as": ("n",)})
    a = point(0, {"v": 1}, {"host": "a"}, group_by=("host",))
    b = point(0, {"v": 1}, {"host": "b"}, group_by=("host",))
    out = e.process([a, a, b, a])
    assert [p.fields["n"] for p in out] == [1, 2, 1, 3]
    assert e.cardinality() == 2


def test_batches_keep_their_good_points(plugins):
    e = evaluate(plugins, '"v" * 2', edge_in=EdgeType.BATCH, **{"as": ("v",)})
    (out,) = e.process([batch(10, [point(1, {"v": 1}), point(2, {"w": 1}), point(3, {"v": 3})])])
    assert [p.fields for p in out.points] == [{"v": 2}, {"v": 6}]
    assert e.stats.errors == 1


def test_one_name_per_lambda(plugins):
    with pytest.raises(ValueError, match="one name per expression"):
        evaluate(plugins, '"v"', '"w"', **{"as": ("a",)})
