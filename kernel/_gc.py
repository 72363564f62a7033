"""Tuning of CPython's cyclic garbage collector for streaming.

Points, tags and fields never form reference cycles, but every one of them counts as
an allocation towards the collector's first generation (700 by default), so under load
the collector runs every few hundred points and rescans everything a window holds.
That cost about a third of the line-protocol parser's time in measurements. Raising
the thresholds keeps cycles collected (reference cycles still exist in trio and Quart)
while taking the collector off the per-point path.
"""

from __future__ import annotations

import gc

#: Allocations before a young collection, and young/middle collections between the
#: older ones.
STREAMING_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> None:
    """Set streaming-friendly collector thresholds and freeze what exists at start-up."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*STREAMING_THRESHOLDS)
