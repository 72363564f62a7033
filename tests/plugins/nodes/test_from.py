"""``|from()``: dbrp and measurement filters, where, truncate/round, grouping."""

from __future__ import annotations

from nodeutil import T0, S, at, node, point, run_script, values

from leyden.kernel import STAR, Barrier
from leyden.kernel.testing import open_task
from leyden.plugins.nodes._gotime import round_half_up, truncate


def stamped(p, db="db", rp="autogen"):
    return p.replace(dbrp=(db, rp))


def test_database_retention_policy_and_measurement_filter(plugins):
    f = node(plugins, "from", props={"database": "db", "retentionPolicy": "rp1", "measurement": "cpu"})
    keep = stamped(point(0, {"v": 1}), rp="rp1")
    chunk = [
        keep,
        stamped(point(0, {"v": 2}), rp="autogen"),
        stamped(point(0, {"v": 3}, name="mem"), rp="rp1"),
        stamped(point(0, {"v": 4}), db="other", rp="rp1"),
    ]
    assert f.process(chunk) == [keep]


def test_no_filters_pass_everything_ungrouped(plugins):
    f = node(plugins, "from")
    chunk = [point(0, {"v": 1}, name="a"), point(1, {"v": 2}, name="b")]
    out = f.process(chunk)
    assert out == chunk
    assert all(p.group == "" for p in out)


def test_group_by_tags_star_and_measurement(plugins):
    p = point(0, {"v": 1}, {"host": "a", "dc": "x"})
    (by_host,) = node(plugins, "from", props={"groupBy": ("host",)}).process([p])
    (by_all,) = node(plugins, "from", props={"groupBy": (STAR,)}).process([p])
    (by_name,) = node(plugins, "from", props={"groupByMeasurement": True}).process([p])
    assert (by_host.group, by_all.group, by_name.group) == ("host=a", "dc=x,host=a", "cpu")


def test_truncate_and_round_point_times(plugins):
    p = point(90.5, {"v": 1})
    (truncated,) = node(plugins, "from", props={"truncate": 60 * S}).process([p])
    (rounded,) = node(plugins, "from", props={"round": 60 * S}).process([p])
    assert (truncated.time, rounded.time) == (at(60), at(120))


def test_go_time_arithmetic_counts_from_year_one():
    # 1577836800 + 62135596800 (Unix epoch after Go's zero time) = 63713433600 = 7 * 9101919085 + 5
    assert truncate(T0 * S, 7 * S) == (T0 - 5) * S
    assert round_half_up(T0 * S, 7 * S) == (T0 + 2) * S
    # halves round up
    assert round_half_up((T0 + 1) * S, 2 * S) == (T0 + 2) * S
    assert truncate(-1, S) == -S


def test_control_messages_keep_their_place(plugins):
    f = node(plugins, "from", props={"measurement": "cpu"})
    b = Barrier("", at(5))
    kept = point(1, {"v": 1})
    out = f.process([point(0, {"v": 0}, name="mem"), b, kept])
    assert out == [b, kept]


async def test_where_filters_before_grouping(plugins, autojump_clock):
    script = """
    stream
        |from()
            .measurement('cpu')
            .where(lambda: "host" != 'b' AND "v" > 1)
            .groupBy('host')
        |httpOut('out')
    """
    writes = [("a", 1, 0), ("b", 5, 1), ("a", 2, 2), ("c", 3, 3)]
    data = "".join(f"cpu,host={h} v={v} {1577836800 + s}\n" for h, v, s in writes)
    document = await run_script(script, data)
    assert [(s["tags"]["host"], s["values"]) for s in document["series"]] == [
        ("a", [["2020-01-01T00:00:02Z", 2.0]]),
        ("c", [["2020-01-01T00:00:03Z", 3.0]]),
    ]


async def test_where_errors_drop_and_count(plugins, autojump_clock):
    script = """
    stream
        |from()
            .where(lambda: "v" > 1)
        |httpOut('out')
    """
    async with open_task(script) as task:
        await task.write("cpu v=5 1577836800\ncpu other=5 1577836801\n", precision="s")
        assert values(task.output("out")) == [["2020-01-01T00:00:00Z", 5.0]]
        assert task.state.running.stats["from1"].errors == 1
