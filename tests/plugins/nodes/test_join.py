"""join: pairing by time, tolerance, fill, .on(), batches, and when sets go out.

Expectations follow Kapacitor's emission rule by hand (see the join-* corpus cases,
which these sequences mirror)."""

from __future__ import annotations

import random

import pytest

from leyden.kernel import NO_DIMENSIONS, Barrier, Batch, DeleteGroup, Dimensions, EdgeType, Point
from leyden.plugins.nodes.join import JoinNode

S = 1_000_000_000
HOST = Dimensions(("host",))
HOST_DC = Dimensions(("dc", "host"))
DC = Dimensions(("dc",))


def pt(name, value, t, dims=NO_DIMENSIONS, field="value", **tags):
    return Point(name, tags, {field: value}, t * S, group=dims.group_id(name, tags), dims=dims)


def rows(msgs):
    """(name, tags, fields, seconds) of the points among ``msgs``."""
    return [(m.name, m.tags, m.fields, m.time // S) for m in msgs if type(m) is Point]


def join(make_context, parents=2, **props):
    properties = {k: [v if isinstance(v, tuple) else (v,)] for k, v in props.items()}
    return JoinNode(make_context("join", parents=parents, properties=properties))


async def test_grouped_inner_join_drops_incomplete_sets(make_context, drive):
    d = drive(join(make_context, **{"as": ("e", "r")}))
    await d.send([pt("errors", 2, 0, HOST, host="a")], 0)
    assert d.take() == []
    await d.send([pt("requests", 10, 0, HOST, host="a")], 1)
    assert rows(d.take()) == [("errors", {"host": "a"}, {"e.value": 2, "r.value": 10}, 0)]
    await d.send([pt("errors", 1, 10, HOST, host="b")], 0)
    await d.send([pt("requests", 4, 10, HOST, host="b")], 1)
    assert rows(d.take()) == [("errors", {"host": "b"}, {"e.value": 1, "r.value": 4}, 10)]
    # requests at :20 has no errors partner; it is dropped once both parents pass :20
    await d.send([pt("requests", 20, 20, HOST, host="a")], 1)
    await d.send([pt("errors", 5, 30, HOST, host="a")], 0)
    assert d.take() == []
    await d.send([pt("requests", 50, 30, HOST, host="a")], 1)
    out = d.take()
    assert rows(out) == [("errors", {"host": "a"}, {"e.value": 5, "r.value": 50}, 30)]
    assert out[0].group == "host=a"
    assert out[0].dims == HOST


async def test_numeric_fill_completes_sets_with_the_first_points_field_names(make_context, drive):
    d = drive(join(make_context, **{"as": ("e", "r"), "fill": 0.0}))
    await d.send([pt("requests", 20, 20, HOST, host="a")], 1)
    await d.send([pt("errors", 5, 30, HOST, host="a")], 0)
    await d.send([pt("requests", 50, 30, HOST, host="a")], 1)
    assert rows(d.take()) == [
        ("requests", {"host": "a"}, {"e.value": 0.0, "r.value": 20}, 20),
        ("errors", {"host": "a"}, {"e.value": 5, "r.value": 50}, 30),
    ]


async def test_null_fill(make_context, drive):
    d = drive(join(make_context, **{"as": ("a", "b"), "fill": "null"}))
    await d.send([pt("a", 1, 0)], 0)
    await d.send([pt("a", 2, 10)], 0)
    await d.send([pt("b", 3, 10)], 1)
    assert rows(d.take()) == [
        ("a", {}, {"a.value": 1, "b.value": None}, 0),
        ("a", {}, {"a.value": 2, "b.value": 3}, 10),
    ]


async def test_tolerance_rounds_times_and_names_the_stream(make_context, drive):
    d = drive(join(make_context, **{"as": ("a", "b"), "tolerance": 5 * S, "streamName": "ab"}))
    for src, name, value, t in [
        (0, "a", 1, 0),
        (1, "b", 10, 2),
        (0, "a", 2, 11),
        (1, "b", 20, 13),
        (0, "a", 3, 22),
        (1, "b", 30, 28),
        (0, "a", 4, 40),
        (1, "b", 40, 41),
    ]:
        await d.send([pt(name, value, t)], src)
    assert rows(d.take()) == [
        ("ab", {}, {"a.value": 1, "b.value": 10}, 0),
        ("ab", {}, {"a.value": 4, "b.value": 40}, 40),
    ]


async def test_three_parents_and_a_delimiter(make_context, drive):
    d = drive(join(make_context, parents=3, **{"as": ("a", "b", "c"), "delimiter": "_"}))
    await d.send([pt("a", 1, 0)], 0)
    await d.send([pt("b", 2, 0)], 1)
    assert d.take() == []
    await d.send([pt("c", 3, 0)], 2)
    assert rows(d.take()) == [("a", {}, {"a_value": 1, "b_value": 2, "c_value": 3}, 0)]


async def test_a_complete_set_waits_behind_an_older_incomplete_one(make_context, drive):
    # Kapacitor only emits at the oldest buffered time: a late point of parent 0 at :00
    # keeps the complete :10 set back until the next message of the group
    d = drive(join(make_context, **{"as": ("a", "b")}))
    await d.send([pt("a", 1, 10)], 0)
    await d.send([pt("a", 2, 0)], 0)
    await d.send([pt("b", 3, 10)], 1)
    assert d.take() == []
    await d.send([pt("b", 4, 0)], 1)
    assert rows(d.take()) == [("a", {}, {"a.value": 2, "b.value": 4}, 0)]
    await d.send([pt("a", 5, 20)], 0)
    assert rows(d.take()) == [("a", {}, {"a.value": 1, "b.value": 3}, 10)]


async def test_on_joins_one_dc_point_with_every_host_of_the_dc(make_context, drive):
    d = drive(join(make_context, **{"as": ("cpu", "dc"), "on": "dc"}))
    await d.send([pt("cpu", 1, 0, HOST_DC, host="a", dc="x")], 0)
    await d.send([pt("cpu", 2, 0, HOST_DC, host="b", dc="x")], 0)
    await d.send([pt("cpu", 3, 0, HOST_DC, host="c", dc="y")], 0)
    assert d.take() == []
    await d.send([pt("dcload", 10, 0, DC, field="load", dc="x")], 1)
    out = d.take()
    assert rows(out) == [
        ("cpu", {"dc": "x", "host": "a"}, {"cpu.value": 1, "dc.load": 10}, 0),
        ("cpu", {"dc": "x", "host": "b"}, {"cpu.value": 2, "dc.load": 10}, 0),
    ]
    assert [p.group for p in out] == ["dc=x,host=a", "dc=x,host=b"]
    await d.send([pt("dcload", 20, 0, DC, field="load", dc="y")], 1)
    assert rows(d.take()) == [("cpu", {"dc": "y", "host": "c"}, {"cpu.value": 3, "dc.load": 20}, 0)]
    # a specific point arriving after its match point joins at once
    await d.send([pt("cpu", 4, 0, HOST_DC, host="d", dc="x")], 0)
    assert rows(d.take()) == [("cpu", {"dc": "x", "host": "d"}, {"cpu.value": 4, "dc.load": 10}, 0)]


async def test_barriers_move_parents_forward_and_pass_on(make_context, drive):
    d = drive(join(make_context, **{"as": ("a", "b"), "fill": "null"}))
    await d.send([pt("a", 1, 0)], 0)
    await d.send([Barrier("", 10 * S)], 1)
    out = d.take()
    assert [type(m) for m in out] == [Barrier]
    await d.send([Barrier("", 10 * S)], 0)
    out = d.take()
    assert rows(out) == [("a", {}, {"a.value": 1, "b.value": None}, 0)]
    assert type(out[-1]) is Barrier


async def test_delete_group_forgets_the_group(make_context, drive):
    node = join(make_context, **{"as": ("a", "b")})
    d = drive(node)
    await d.send([pt("a", 1, 0, HOST, host="h")], 0)
    assert node.cardinality() == 1
    await d.send([DeleteGroup("host=h")], 0)
    assert [type(m) for m in d.take()] == [DeleteGroup]
    assert node.cardinality() == 0
    await d.send([pt("b", 2, 0, HOST, host="h")], 1)
    assert d.take() == []


async def test_end_of_input_emits_what_is_buffered(make_context, drive):
    d = drive(join(make_context, **{"as": ("a", "b"), "fill": 1}))
    await d.send([pt("a", 1, 0)], 0)
    await d.close()
    assert rows(d.take()) == [("a", {}, {"a.value": 1, "b.value": 1}, 0)]


def random_chunks(rng, parents=2):
    """Chunks of two parents for one or two groups: mostly in step, as chunked parents
    are, with late, repeated and early times and barriers mixed in."""
    chunks = []
    clock = [0] * parents
    for _ in range(rng.randint(1, 12)):
        src = rng.randrange(parents)
        chunk = []
        for _ in range(rng.randint(1, 8)):
            host = rng.choice("ab")
            roll = rng.random()
            if roll < 0.1:
                chunk.append(Barrier(HOST.group_id("m", {"host": host}), clock[src] * S))
                continue
            if roll < 0.75:
                clock[src] += 1
            elif roll < 0.85:
                clock[src] = max(0, clock[src] - rng.randint(1, 3))
            t = clock[src] + rng.choice((0, 0, 0, 0.4, 0.6))
            chunk.append(pt(f"p{src}", rng.randint(0, 9), 0, HOST, host=host))
            chunk[-1].time = int(t * S)
        chunks.append((src, chunk))
    return chunks


@pytest.mark.parametrize("props", [{}, {"fill": 0.0}, {"tolerance": S}, {"fill": "null", "tolerance": S}])
async def test_two_parents_in_step_take_shortcuts_with_the_general_rules_results(make_context, drive, props):
    rng = random.Random(7)
    for _ in range(150):
        chunks = random_chunks(rng)
        outputs = []
        for runs in (True, False):
            node = join(make_context, **{"as": ("x", "y")}, **props)
            assert node.runs
            node.runs = runs
            d = drive(node)
            emitted = []
            for src, chunk in chunks:
                await d.send(chunk, src)
                emitted.append(d.take())
            await d.close()
            emitted.append(d.take())
            outputs.append(
                [[(type(m), m.group, getattr(m, "fields", None), m.time) for m in e] for e in emitted]
            )
        assert outputs[0] == outputs[1], chunks


def batch(name, t_end, points):
    return Batch(name, {}, [Point(name, {}, {"v": v}, t * S) for t, v in points], t_end * S)


async def test_batches_join_point_by_point(make_context, drive):
    node = JoinNode(make_context("join", parents=2, edge=EdgeType.BATCH, properties={"as": [("cpu", "mem")]}))
    d = drive(node)
    await d.send([batch("cpu", 60, [(0, 6.5), (30, 5.5)])], 0)
    await d.send([batch("mem", 60, [(0, 126.0), (15, 1.0), (30, 123.0)])], 1)
    (out,) = d.take()
    assert type(out) is Batch
    assert (out.name, out.tmax) == ("cpu", 60 * S)
    assert [(p.time // S, p.fields) for p in out.points] == [
        (0, {"cpu.v": 6.5, "mem.v": 126.0}),
        (30, {"cpu.v": 5.5, "mem.v": 123.0}),
    ]


async def test_batches_with_fill_keep_unmatched_points(make_context, drive):
    props = {"as": [("cpu", "mem")], "fill": [("null",)]}
    d = drive(JoinNode(make_context("join", parents=2, edge=EdgeType.BATCH, properties=props)))
    await d.send([batch("cpu", 60, [(0, 6.5)])], 0)
    await d.send([batch("mem", 60, [(0, 1.0), (30, 2.0)])], 1)
    (out,) = d.take()
    assert [(p.time // S, p.fields) for p in out.points] == [
        (0, {"cpu.v": 6.5, "mem.v": 1.0}),
        (30, {"cpu.v": None, "mem.v": 2.0}),
    ]


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({}, "is required to specify the output stream prefixes"),
        ({"as": [("a",)]}, "must match the number of joined streams"),
        ({"as": [("a.x", "b")]}, "contains the delimiter"),
        ({"as": [("a", "a")]}, "same prefix"),
        ({"as": [("a", "b")], "fill": [("linear",)]}, "unexpected fill option linear"),
    ],
)
async def test_invalid_joins_are_rejected(make_context, props, message):
    with pytest.raises(ValueError, match=message):
        JoinNode(make_context("join", parents=2, properties=props))
