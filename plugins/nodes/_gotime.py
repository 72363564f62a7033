"""Go's ``time.Time.Truncate`` and ``Round`` on nanosecond timestamps.

Kapacitor aligns windows and rounds point times with Go's methods, which count
multiples of the duration from Go's zero time (January 1, year 1 UTC), not from the
Unix epoch. For durations that divide a day both agree; for others (``7s``, ``1w``)
only this arithmetic gives Kapacitor's boundaries.
"""

from __future__ import annotations

#: Nanoseconds from Go's zero time to the Unix epoch.
_GO_ZERO_OFFSET_NS = 62_135_596_800 * 1_000_000_000


def truncate(t: int, d: int) -> int:
    """``t`` rounded down to a multiple of ``d`` (Go's ``Truncate``); ``d <= 0`` keeps ``t``."""
    if d <= 0:
        return t
    return t - (t + _GO_ZERO_OFFSET_NS) % d


def round_half_up(t: int, d: int) -> int:
    """``t`` rounded to the nearest multiple of ``d``, halves up (Go's ``Round``)."""
    if d <= 0:
        return t
    r = (t + _GO_ZERO_OFFSET_NS) % d
    return t - r if r + r < d else t + d - r
