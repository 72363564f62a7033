"""``|sample()``: every n-th point per group, or points on a time grid."""

from __future__ import annotations

from nodeutil import S, at, batch, node, point

from leyden.kernel import Duration, EdgeType
from leyden.kernel.testing import open_task


def test_every_third_point_per_group(plugins):
    s = node(plugins, "sample", 3)
    a = [point(i, {"v": i}, {"host": "a"}, group_by=("host",)) for i in range(5)]
    b = [point(i, {"v": i}, {"host": "b"}, group_by=("host",)) for i in range(2)]
    out = s.process([a[0], a[1], b[0], a[2], a[3], b[1], a[4]])
    assert out == [a[0], b[0], a[3]]


def test_duration_keeps_points_on_the_grid(plugins):
    s = node(plugins, "sample", Duration(10 * S))
    points = [point(t, {"v": t}) for t in (0, 5, 10, 10.5, 20)]
    assert s.process(points) == [points[0], points[2], points[4]]


def test_batch_points_are_sampled_and_the_count_starts_over_with_each_batch(plugins):
    # Kapacitor 1.5 forwards a batch point by point: BeginBatch resets the count
    s = node(plugins, "sample", 2, edge_in=EdgeType.BATCH)
    first = batch(10, [point(i, {"v": i}) for i in range(5)])
    second = batch(20, [point(10 + i, {"v": i}) for i in range(3)])
    out = s.process([first, second])
    assert [[p.time for p in b.points] for b in out] == [[at(0), at(2), at(4)], [at(10), at(12)]]
    assert [b.tmax for b in out] == [first.tmax, second.tmax]


def test_batch_points_on_the_duration_grid(plugins):
    s = node(plugins, "sample", Duration(10 * S), edge_in=EdgeType.BATCH)
    (out,) = s.process([batch(30, [point(t, {"v": t}) for t in (0, 5, 10, 25)])])
    assert [p.time for p in out.points] == [at(0), at(10)]


async def test_script_duration_and_count_differ(autojump_clock):
    script = (
        "stream\n    |from()\n        .measurement('m')\n    |sample({})\n"
        "    |window()\n        .period(1h)\n        .every(1h)\n    |httpOut('out')\n"
    )
    lines = "".join(f"m v={t} {t}\n" for t in (0, 5, 10, 11, 20, 21, 7200))
    for rate, kept in (("10s", [0, 10, 20]), ("3", [0, 11])):
        async with open_task(script.format(rate)) as task:
            await task.write(lines, precision="s")
            assert [row[1] for row in task.output("out")["series"][0]["values"]] == kept
