"""Group ids, dimensions and Kapacitor's JSON rendering of points and batches."""

from __future__ import annotations

from leyden.kernel import Batch, Dimensions, Point, batch_row, format_time, parse_time, point_row, result


def test_group_ids_follow_kapacitor():
    tags = {"host": "a", "dc": "x", "other": "o"}
    assert Dimensions().group_id("cpu", tags) == ""
    assert Dimensions(by_name=True).group_id("cpu", tags) == "cpu"
    assert Dimensions(("host", "dc")).group_id("cpu", tags) == "dc=x,host=a"
    assert Dimensions(("host",), by_name=True).group_id("cpu", tags) == "cpu\nhost=a"
    assert Dimensions(("host", "dc")) == Dimensions(("dc", "host"))


def test_regroup_shares_dicts():
    p = Point("cpu", {"host": "a"}, {"v": 1}, 5)
    q = p.regroup(Dimensions(("host",)))
    assert q.group == "host=a" and q.tags is p.tags and q.fields is p.fields
    assert p.group == ""


def test_time_format():
    assert format_time(1577836825 * 10**9) == "2020-01-01T00:00:25Z"
    assert format_time(1577836825 * 10**9 + 500_000_000) == "2020-01-01T00:00:25.5Z"
    assert format_time(1) == "1970-01-01T00:00:00.000000001Z"
    assert format_time(-(10**9)) == "1969-12-31T23:59:59Z"
    for text in ("2020-01-01T00:00:25.5Z", "2020-01-01T00:00:25Z", "1970-01-01T00:00:00.000000001Z"):
        assert format_time(parse_time(text)) == text
    assert parse_time("2020-01-01T01:00:00+01:00") == 1577836800 * 10**9


def test_point_row():
    p = Point("cpu", {"host": "a"}, {"value": 1.0, "a": 2}, 10**9)
    assert point_row(p) == {
        "name": "cpu",
        "tags": {"host": "a"},
        "columns": ["time", "a", "value"],
        "values": [["1970-01-01T00:00:01Z", 2, 1.0]],
    }
    assert "tags" not in point_row(Point("cpu", {}, {"v": 1}, 0))


def test_batch_row_takes_columns_from_first_point():
    points = [
        Point("cpu", {"host": "a", "dc": "x"}, {"value": 1.0}, 10**9),
        Point("cpu", {"host": "a"}, {"value": 2.0, "extra": 5}, 2 * 10**9),
        Point("cpu", {"host": "a", "dc": "y"}, {"other": 3}, 3 * 10**9),
    ]
    b = Batch("cpu", {"host": "a"}, points, 3 * 10**9, group="host=a", dims=Dimensions(("host",)))
    assert batch_row(b) == {
        "name": "cpu",
        "tags": {"host": "a"},
        "columns": ["time", "dc", "value"],
        "values": [
            ["1970-01-01T00:00:01Z", "x", 1.0],
            ["1970-01-01T00:00:02Z", None, 2.0],
            ["1970-01-01T00:00:03Z", "y", None],
        ],
    }
    assert batch_row(Batch("cpu", {}, [], 0)) == {"name": "cpu"}
    assert result([]) == {"series": None}
