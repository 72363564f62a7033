"""``|where()``: filtering points and batches, errors, stateful lambdas per group."""

from __future__ import annotations

from nodeutil import batch, lambdas, node, point, run_script, values

from leyden.kernel import Barrier, DeleteGroup, EdgeType


def where(plugins, text, edge_in=EdgeType.STREAM):
    (lam,) = lambdas(plugins, text)
    return node(plugins, "where", lam, edge_in=edge_in)


def test_keeps_true_points_and_counts_errors(plugins):
    w = where(plugins, '"v" > 1')
    keep = point(1, {"v": 2})
    out = w.process([point(0, {"v": 1}), keep, point(2, {"other": 5}), point(3, {"v": "text"})])
    assert out == [keep]
    assert w.stats.errors == 2  # a missing field and a string compared with an int


def test_control_messages_keep_their_place(plugins):
    w = where(plugins, '"v" > 1')
    b = Barrier("", 10)
    p = point(1, {"v": 2})
    assert w.process([point(0, {"v": 0}), b, p]) == [b, p]


def test_batches_are_filtered_and_survive_empty(plugins):
    w = where(plugins, '"v" > 1', EdgeType.BATCH)
    full = batch(10, [point(1, {"v": 1}), point(2, {"v": 3})], {"host": "a"})
    empty = batch(10, [point(1, {"v": 0})], {"host": "b"})
    out = w.process([full, empty])
    assert [[p.fields["v"] for p in b.points] for b in out] == [[3], []]
    assert [(b.tags, b.tmax) for b in out] == [(full.tags, full.tmax), (empty.tags, empty.tmax)]


def test_stateful_lambdas_count_per_group(plugins):
    w = where(plugins, "count() > 1")
    a = [point(s, {"v": s}, {"host": "a"}, group_by=("host",)) for s in (0, 1, 2)]
    b = [point(s, {"v": s}, {"host": "b"}, group_by=("host",)) for s in (3, 4)]
    out = w.process([a[0], b[0], a[1], b[1], a[2]])
    assert out == [a[1], b[1], a[2]]
    assert w.cardinality() == 2
    # forgetting a group restarts its count
    w.process([DeleteGroup("host=a")])
    assert w.process([a[0]]) == []


async def test_where_in_a_script(plugins, autojump_clock):
    script = """
    stream
        |from()
            .measurement('cpu')
        |where(lambda: "host" =~ /^web/ AND "v" >= 2)
        |httpOut('out')
    """
    data = "cpu,host=web1 v=2 1577836800\ncpu,host=db v=9 1577836801\ncpu,host=web2 v=1 1577836802\n"
    document = await run_script(script, data)
    assert document["series"][0]["tags"] == {"host": "web1"}
    assert values(document) == [["2020-01-01T00:00:00Z", 2.0]]
