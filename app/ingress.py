"""Line protocol in: parse a write, hand the points to the tasks, count what came in.

This is the hot path of every ``POST /write``. The kernel's parser shares one name
string per series, so counting points per measurement for ``/debug/vars`` is a C-level
``Counter`` over those names, not a Python loop per point.
"""

from __future__ import annotations

from collections import Counter
from operator import attrgetter

from leyden.kernel import Kernel, LineProtocolError, parse_lines

_name = attrgetter("name")


class Ingress:
    """Writes into a kernel, with Kapacitor's ``ingress`` counters."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        #: Points received per (database, retention policy, measurement).
        self.received: Counter[tuple[str, str, str]] = Counter()

    async def write(self, text: str, db: str, rp: str, precision: str = "ns") -> list[LineProtocolError]:
        """Write line protocol; the good lines go in, the bad ones come back as errors.

        Raises ``ValueError`` for an unknown precision.
        """
        kernel = self.kernel
        points, errors = parse_lines(
            text, precision=precision, now_ns=kernel.clock.now_ns(), dbrp=(db, rp), cache=kernel.series_cache
        )
        if points:
            received = self.received
            for name, count in Counter(map(_name, points)).items():
                received[(db, rp, name)] += count
            await kernel.write_points(db, rp, points)
        return len(points), errors
