"""``|window()``: time and count windows, alignment, gaps, groups, barriers."""

from __future__ import annotations

import pytest
from nodeutil import S, at, node, point, run_script, values

from leyden.kernel import Barrier, Batch, DeleteGroup


def window(plugins, **props):
    return node(plugins, "window", props=props)


def feed(w, *messages):
    out = []
    for msg in messages:
        out.extend(w.process([msg]))
    return out


def summary(batches):
    """(end second, [values]) of each batch."""
    return [((b.tmax - at(0)) // S, [p.fields["v"] for p in b.points]) for b in batches if type(b) is Batch]


def series(*seconds):
    return [point(s, {"v": s}) for s in seconds]


def test_aligned_tumbling_windows_end_on_multiples_of_every(plugins):
    w = window(plugins, period=10 * S, every=10 * S, align=True)
    out = feed(w, *series(3, 7, 12, 19, 20, 31))
    assert summary(out) == [(10, [3, 7]), (20, [12, 19]), (30, [20])]


def test_unaligned_windows_start_at_the_first_point(plugins):
    w = window(plugins, period=30 * S, every=30 * S)
    out = feed(w, *series(5, 15, 34, 35, 64, 66))
    assert summary(out) == [(35, [5, 15, 34]), (65, [35, 64])]


def test_sliding_window_repeats_points_in_overlapping_windows(plugins):
    w = window(plugins, period=20 * S, every=10 * S, align=True)
    out = feed(w, *series(2, 8, 12, 18, 22, 31))
    assert summary(out) == [(10, [2, 8]), (20, [2, 8, 12, 18]), (30, [12, 18, 22])]


def test_every_longer_than_period_skips_points_between_windows(plugins):
    w = window(plugins, period=10 * S, every=30 * S, align=True)
    out = feed(w, *series(5, 25, 29, 30, 55, 61))
    # windows end at 30 and 60 and cover the 10s before: 5 is never emitted
    assert summary(out) == [(30, [25, 29]), (60, [55])]


def test_empty_windows_are_not_emitted(plugins):
    w = window(plugins, period=10 * S, every=30 * S, align=True)
    out = feed(w, *series(5, 31, 95))
    # [20, 30) and [50, 60) hold no point; the window ending at 60 comes from 31
    assert summary(out) == []
    assert w.windows[""].next_emit == at(120)


def test_a_gap_emits_only_the_pending_window(plugins):
    w = window(plugins, period=10 * S, every=10 * S, align=True)
    out = feed(w, *series(1, 2, 500, 501, 511))
    assert summary(out) == [(10, [1, 2]), (510, [500, 501])]


def test_fill_period_waits_for_a_full_period(plugins):
    w = window(plugins, period=30 * S, every=10 * S, fillPeriod=True)
    out = feed(w, *series(0, 10, 20, 29, 30, 40))
    assert summary(out) == [(30, [0, 10, 20, 29]), (40, [10, 20, 29, 30])]


def test_without_every_each_point_emits_the_last_period(plugins):
    w = window(plugins, period=10 * S)
    out = feed(w, *series(0, 5, 10, 16))
    # right-closed windows (t - period, t]
    assert summary(out) == [(0, [0]), (5, [0, 5]), (10, [5, 10]), (16, [10, 16])]


def test_count_windows(plugins):
    w = node(plugins, "window", props={"periodCount": 3, "everyCount": 2})
    out = feed(w, *series(1, 2, 3, 4, 5, 6))
    # emitted after the 2nd, 4th and 6th point; the batch ends at its last point
    assert summary(out) == [(2, [1, 2]), (4, [2, 3, 4]), (6, [4, 5, 6])]


def test_groups_have_windows_of_their_own(plugins):
    w = window(plugins, period=10 * S, every=10 * S)
    a = [point(s, {"v": s}, {"host": "a"}, group_by=("host",)) for s in (0, 4, 10)]
    b = [point(s, {"v": s}, {"host": "b"}, group_by=("host",)) for s in (3, 12, 13)]
    out = w.process([a[0], b[0], a[1], a[2], b[1], b[2]])
    assert [(o.tags, (o.tmax - at(0)) // S, len(o.points)) for o in out] == [
        ({"host": "a"}, 10, 2),
        ({"host": "b"}, 13, 2),
    ]
    assert w.cardinality() == 2


def test_emitted_batches_do_not_change_afterwards(plugins):
    w = window(plugins, period=10 * S, every=10 * S, align=True)
    (first,) = feed(w, *series(1, 2, 11))
    feed(w, *series(12, 13, 25))
    assert [p.fields["v"] for p in first.points] == [1, 2]


def test_a_barrier_closes_a_window_it_passes_and_is_forwarded(plugins):
    w = window(plugins, period=10 * S, every=10 * S, align=True)
    out = feed(w, *series(1, 2), Barrier("", at(9)), Barrier("", at(10)))
    assert [type(m).__name__ for m in out] == ["Barrier", "Batch", "Barrier"]
    assert summary(out) == [(10, [1, 2])]


def test_delete_group_forgets_the_window(plugins):
    w = window(plugins, period=30 * S, every=30 * S)
    out = feed(w, *series(5, 15), DeleteGroup(""), *series(40, 69, 70))
    # the window restarted at 40: [40, 70)
    assert summary(out) == [(70, [40, 69])]
    assert type(out[0]) is DeleteGroup


def test_period_and_period_count_exclude_each_other(plugins):
    with pytest.raises(ValueError, match="both period and periodCount"):
        node(plugins, "window", props={"period": S, "periodCount": 3, "everyCount": 1})
    with pytest.raises(ValueError, match="non zero period"):
        node(plugins, "window")


async def test_window_through_a_script(plugins, autojump_clock):
    script = """
    stream
        |from()
            .measurement('cpu')
        |window()
            .period(20s)
            .every(20s)
            .align()
        |httpOut('out')
    """
    data = "cpu v=1 1577836801\ncpu v=2 1577836815\ncpu v=3 1577836821\ncpu v=4 1577836845\n"
    document = await run_script(script, data)
    # the last emitted window is [20s, 40s): only the point at 21s
    assert values(document) == [["2020-01-01T00:00:21Z", 3.0]]


def test_without_every_each_point_emits_the_period_before_it(plugins):
    w = window(plugins, period=10 * S)
    out = feed(w, *series(3, 7, 15), Barrier("", at(16)), Barrier("", at(30)), *series(31))
    assert [type(m).__name__ for m in out] == ["Batch"] * 4 + ["Barrier"] * 2 + ["Batch"]
    # the barrier at 16 emits (6, 16]; the one at 30 finds (20, 30] empty
    assert summary(out) == [(3, [3]), (7, [3, 7]), (15, [7, 15]), (16, [7, 15]), (31, [31])]
