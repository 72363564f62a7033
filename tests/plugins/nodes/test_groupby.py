"""``|groupBy()``: regrouping points and same-time batches."""

from __future__ import annotations

from nodeutil import at, batch, node, point, run_script

from leyden.kernel import STAR, Barrier, Batch, DeleteGroup


def test_points_move_to_the_group_of_their_tags(plugins):
    g = node(plugins, "groupBy", "region", "host")
    p = point(0, {"v": 1}, {"host": "a", "region": "us", "rack": "1"})
    (out,) = g.process([p])
    assert out.group == "host=a,region=us"
    assert out.dims.tag_names == ("host", "region")
    assert (out.fields, out.tags, out.time) == (p.fields, p.tags, p.time)


def test_a_missing_tag_groups_as_empty(plugins):
    g = node(plugins, "groupBy", "host")
    (out,) = g.process([point(0, {"v": 1}, {"region": "us"})])
    assert out.group == "host="


def test_no_tags_ungroups(plugins):
    g = node(plugins, "groupBy")
    (out,) = g.process([point(0, {"v": 1}, {"host": "a"}, group_by=("host",))])
    assert out.group == ""
    assert out.dims.tag_names == ()


def test_star_groups_by_every_tag_but_the_excluded(plugins):
    g = node(plugins, "groupBy", STAR, props={"exclude": ("rack",)})
    out = g.process(
        [point(0, {"v": 1}, {"host": "a", "rack": "1"}), point(1, {"v": 1}, {"host": "b", "zone": "z"})]
    )
    assert [o.group for o in out] == ["host=a", "host=b,zone=z"]


def test_by_measurement_separates_names_and_is_inherited(plugins):
    g = node(plugins, "groupBy", "host", props={"byMeasurement": True})
    out = g.process([point(0, {"v": 1}, {"host": "a"}), point(0, {"v": 1}, {"host": "a"}, name="mem")])
    assert [o.group for o in out] == ["cpu\nhost=a", "mem\nhost=a"]
    # A later groupBy without byMeasurement keeps grouping by name (Kapacitor: ByName || byName).
    (again,) = node(plugins, "groupBy", "host").process([out[1]])
    assert again.group == "mem\nhost=a"


def test_list_arguments_are_flattened(plugins):
    g = node(plugins, "groupBy", ["host"], "region")
    (out,) = g.process([point(0, {"v": 1}, {"host": "a", "region": "us"})])
    assert out.group == "host=a,region=us"


def test_batches_of_one_time_are_regrouped_when_time_moves_on(plugins):
    g = node(plugins, "groupBy", "host")
    first = batch(10, [point(1, {"v": 1}, {"host": "a"}), point(2, {"v": 2}, {"host": "b"})])
    second = batch(10, [point(0, {"v": 3}, {"host": "a"})])
    later = batch(20, [point(15, {"v": 4}, {"host": "b"})])
    assert g.process([first, second]) == []
    out = g.process([later])
    assert [(b.group, b.tags, b.tmax, [p.fields["v"] for p in b.points]) for b in out] == [
        ("host=a", {"host": "a"}, at(10), [3, 1]),  # sorted by time
        ("host=b", {"host": "b"}, at(10), [2]),
    ]
    # a barrier flushes what is pending and passes on
    flushed = g.process([Barrier("", at(30))])
    assert [type(m) for m in flushed] == [Batch, Barrier]
    assert flushed[0].points[0].fields == {"v": 4}


def test_control_messages_pass(plugins):
    g = node(plugins, "groupBy", "host")
    d = DeleteGroup("host=a")
    assert g.process([d]) == [d]


async def test_grouped_windows_through_a_script(plugins, autojump_clock):
    script = """
    stream
        |from()
            .measurement('cpu')
        |groupBy('host')
        |window()
            .period(10s)
            .every(10s)
            .align()
        |count('v')
        |httpOut('out')
    """
    lines = [
        f"cpu,host={h} v=1 {1577836800 + s}" for h, s in [("a", 1), ("b", 2), ("a", 3), ("a", 11), ("b", 12)]
    ]
    document = await run_script(script, "\n".join(lines) + "\n")
    assert [(s["tags"], s["values"]) for s in document["series"]] == [
        ({"host": "a"}, [["2020-01-01T00:00:10Z", 2]]),
        ({"host": "b"}, [["2020-01-01T00:00:10Z", 1]]),
    ]
