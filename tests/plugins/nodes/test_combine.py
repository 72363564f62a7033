"""combine: every order-independent combination of a group's points of one time."""

from __future__ import annotations

import pytest

from leyden.kernel import Barrier, Batch, Dimensions, NodeStats, Point
from leyden.kernel.testing import open_task
from leyden.plugins.nodes.combine import CombineNode
from leyden.tick.lambdas import compile_lambda
from leyden.tick.parser import parse_lambda

S = 1_000_000_000
DC = Dimensions(("dc",))


def req(kind, n, t, dc="x"):
    tags = {"dc": dc, "kind": kind}
    return Point("req", tags, {"n": n}, t, group=f"dc={dc}", dims=DC)


@pytest.fixture
def lam(plugins):
    return lambda text: compile_lambda(parse_lambda(text), functions=plugins.functions)


async def combine(make_context, lambdas, **props):
    properties = {k: [v if isinstance(v, tuple) else (v,)] for k, v in props.items()}
    node = CombineNode(make_context("combine", *lambdas, properties=properties))
    node.stats = NodeStats()
    return node


async def test_pairs_of_one_time_with_group_tags_kept(make_context, lam):
    node = await combine(make_context, [lam("\"kind\" == 'get'"), lam("TRUE")], **{"as": ("get", "other")})
    assert node.process([req("get", 10, 0), req("post", 5, 0), req("put", 2, 0)]) == []
    out = node.process([req("get", 1, S)])  # a new time: the :00 set is combined
    assert [(p.tags, p.fields, p.time, p.group) for p in out] == [
        ({"dc": "x", "get.kind": "get", "other.kind": "post"}, {"get.n": 10, "other.n": 5}, 0, "dc=x"),
        ({"dc": "x", "get.kind": "get", "other.kind": "put"}, {"get.n": 10, "other.n": 2}, 0, "dc=x"),
    ]


async def test_tolerance_delimiter_and_groups_apart(make_context, lam):
    node = await combine(
        make_context, [lam("TRUE"), lam("TRUE")], **{"as": ("a", "b"), "delimiter": "_", "tolerance": S}
    )
    points = [req("get", 1, 100_000_000), req("get", 2, 0, dc="y"), req("put", 3, 400_000_000)]
    assert node.process(points) == []
    out = node.process([req("get", 9, 2 * S)])
    assert [(p.fields, p.time) for p in out] == [({"a_n": 1, "b_n": 3}, 0)]


async def test_batches_are_combined_time_by_time(make_context, lam):
    node = await combine(make_context, [lam("TRUE"), lam("TRUE")], **{"as": ("a", "b")})
    points = [req("get", 1, 0), req("put", 2, 0), req("get", 3, S), req("put", 4, S)]
    out = node.process([Batch("req", {"dc": "x"}, points, S, group="dc=x", dims=DC)])
    assert [(p.fields, p.time) for p in out] == [({"a.n": 1, "b.n": 2}, 0), ({"a.n": 3, "b.n": 4}, S)]


async def test_too_many_combinations_fail_the_node(make_context, lam):
    node = await combine(make_context, [lam("TRUE"), lam("TRUE")], **{"as": ("a", "b"), "max": 2})
    node.process([req("get", 1, 0), req("post", 2, 0), req("put", 3, 0)])
    with pytest.raises(RuntimeError, match="total combinations 3 exceeds max combinations 2"):
        node.process([req("get", 1, S)])


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ((), "is required"),
        (("a",), "must match"),
        (("a.b", "c"), "contains the delimiter"),
        (("a", "a"), "same"),
    ],
)
async def test_invalid_names(make_context, lam, names, message):
    props = {"as": [names]} if names else {}
    with pytest.raises(ValueError, match=message):
        CombineNode(make_context("combine", lam("TRUE"), lam("TRUE"), properties=props))


SCRIPT = """
stream
    |from()
        .measurement('req')
    |combine(lambda: TRUE, lambda: TRUE)
        .as('x', 'y')
        .max(1)
    |httpOut('out')
"""


async def test_exceeding_max_stops_the_task(plugins, autojump_clock):
    async with open_task(SCRIPT, plugins=plugins) as task:
        await task.write("req,k=a n=1 0\nreq,k=b n=2 0\nreq,k=c n=3 0\nreq,k=a n=1 1\n", precision="s")
        assert "exceeds max combinations 1" in task.error


async def test_a_group_may_start_with_a_barrier(make_context, lam):
    node = await combine(make_context, [lam("TRUE"), lam("TRUE")], **{"as": ("a", "b")})
    out = node.process([Barrier("dc=x", 0), req("get", 1, 0), req("put", 2, 0), req("get", 3, S)])
    assert [type(m) for m in out] == [Barrier, Point]
    assert (out[1].name, out[1].tags, out[1].dims) == (
        "req",
        {"dc": "x", "a.kind": "get", "b.kind": "put"},
        DC,
    )
