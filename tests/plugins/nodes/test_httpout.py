"""``|httpOut()``: the latest point or batch per group, as Kapacitor's JSON result."""

from __future__ import annotations

from nodeutil import batch, node, point, run_script

from leyden.kernel import DeleteGroup, EdgeType


def http_out(plugins, edge_in=EdgeType.STREAM):
    outputs = {}
    n = node(plugins, "httpOut", "out", edge_in=edge_in, outputs=outputs)
    return n, outputs["out"]


def test_nothing_yet_is_null_series(plugins):
    _, read = http_out(plugins)
    assert read() == {"series": None}


def test_last_point_per_group_in_order_of_first_output(plugins):
    n, read = http_out(plugins)
    b1 = point(1, {"v": 1}, {"host": "b"}, group_by=("host",))
    a1 = point(2, {"v": 2}, {"host": "a"}, group_by=("host",))
    b2 = point(3, {"v": 3.5}, {"host": "b"}, group_by=("host",))
    chunk = [b1, a1, b2]
    assert n.process(chunk) is chunk  # data passes on unchanged
    assert read() == {
        "series": [
            {
                "name": "cpu",
                "tags": {"host": "b"},
                "columns": ["time", "v"],
                "values": [["2020-01-01T00:00:03Z", 3.5]],
            },
            {
                "name": "cpu",
                "tags": {"host": "a"},
                "columns": ["time", "v"],
                "values": [["2020-01-01T00:00:02Z", 2]],
            },
        ]
    }


def test_last_batch_and_columns_from_its_first_point(plugins):
    n, read = http_out(plugins, EdgeType.BATCH)
    n.process([batch(10, [point(1, {"v": 1}, {"host": "a"}), point(2, {"v": 2, "w": 0}, {"host": "b"})])])
    assert read()["series"] == [
        {
            "name": "cpu",
            "columns": ["time", "host", "v"],
            "values": [["2020-01-01T00:00:01Z", "a", 1], ["2020-01-01T00:00:02Z", "b", 2]],
        }
    ]


def test_reads_reuse_rows_of_unchanged_groups(plugins):
    n, read = http_out(plugins)
    n.process([point(1, {"v": 1})])
    first = read()["series"][0]
    assert read()["series"][0] is first
    n.process([point(2, {"v": 2})])
    assert read()["series"][0] is not first


def test_delete_group_removes_its_series(plugins):
    n, read = http_out(plugins)
    n.process(
        [
            point(1, {"v": 1}, {"host": "a"}, group_by=("host",)),
            point(1, {"v": 1}, {"host": "b"}, group_by=("host",)),
        ]
    )
    n.process([DeleteGroup("host=a")])
    assert [s["tags"] for s in read()["series"]] == [{"host": "b"}]
    assert n.cardinality() == 1


async def test_two_outputs_in_one_script(plugins, autojump_clock):
    script = """
    var data = stream
        |from()
            .measurement('cpu')
    data
        |httpOut('raw')
    data
        |where(lambda: "v" > 1.0)
        |httpOut('out')
    """
    document = await run_script(script, "cpu v=2 1577836800\ncpu v=1 1577836801\n")
    assert document["series"][0]["values"] == [["2020-01-01T00:00:00Z", 2.0]]
