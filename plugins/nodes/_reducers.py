"""The InfluxQL functions as Kapacitor 1.5 computes them (InfluxDB's reducers).

Each function reduces the values of one field. The value type is fixed by the first
value a reduction sees; it decides which types a function accepts and what type its
result has (``mean`` of ints is a float, ``sum`` of ints an int, ``count`` always an
int). Ties and orders follow InfluxDB: ``max`` keeps the earliest of equal values,
``first`` the largest of same-time values, ``top`` the earliest, and sorts are
stable as Go's are for the small slices they see.

Batch-style functions take a list of :data:`Item` and return :data:`Result` s; a
result's time is None where InfluxDB returns its "zero time" (the caller then uses
the batch time). Streaming transformations (``difference``, ``elapsed``, ...) are
small state machines fed one value at a time.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from typing import Any

from leyden.kernel import Point

from ._holtwinters import forecast_points

#: ``(time, value, point)`` of one aggregated point.
Item = tuple[int, Any, Point]
#: ``(time or None, value, selected point or None)``.
Result = tuple[int | None, Any, Point | None]
Reduce = Callable[[list[Item]], list[Result]]

NUMERIC = frozenset({float, int})
ANY_TYPE = frozenset({float, int, str, bool})


def value_type(v: Any) -> type | None:
    """The InfluxQL type of a field value: float, int, str or bool (None otherwise).

    Durations and times made by lambdas are int subclasses and count as ints, as
    Go's reflection sees ``time.Duration`` as an int64."""
    t = type(v)
    if t is float or t is int or t is str or t is bool:
        return t
    if isinstance(v, bool):
        return bool
    if isinstance(v, int):
        return int
    if isinstance(v, float):
        return float
    if isinstance(v, str):
        return str
    return None


# -- aggregates ---------------------------------------------------------------------------


def count(items: list[Item]) -> list[Result]:
    return [(None, len(items), None)]


def make_sum(zero: Any) -> Reduce:
    def reduce(items: list[Item]) -> list[Result]:
        total = zero
        for item in items:
            total = total + item[1]
        return [(None, total, None)]

    return reduce


def mean(items: list[Item]) -> list[Result]:
    total: Any = 0
    for item in items:
        total = total + item[1]
    return [(None, total / len(items), None)]


def median(items: list[Item]) -> list[Result]:
    if len(items) == 1:
        time, value, _ = items[0]
        return [(time, value, None) if type(value) is float else (None, float(value), None)]
    values = sorted(item[1] for item in items)
    half = len(values) // 2
    if len(values) % 2 == 0:
        lo, hi = values[half - 1], values[half]
        if type(lo) is int:
            return [(None, float(lo) + float(hi - lo) / 2, None)]
        return [(None, lo + (hi - lo) / 2, None)]
    return [(None, float(values[half]), None)]


def mode(items: list[Item]) -> list[Result]:
    if len(items) == 1:
        return [(items[0][0], items[0][1], None)]
    ordered = sorted(items, key=_value_of)
    most_freq = curr_freq = 0
    curr_mode = most_mode = ordered[0][1]
    most_time = curr_time = ordered[0][0]
    for time, value, _ in ordered:
        if value != curr_mode:
            curr_freq = 1
            curr_mode = value
            curr_time = time
            continue
        curr_freq += 1
        if most_freq > curr_freq or (most_freq == curr_freq and curr_time > most_time):
            continue
        most_freq = curr_freq
        most_mode = value
        most_time = time
    return [(None, most_mode, None)]


def spread(items: list[Item]) -> list[Result]:
    low = high = items[0][1]
    for item in items[1:]:
        v = item[1]
        if v < low:
            low = v
        if v > high:
            high = v
    return [(None, high - low, None)]


def stddev(items: list[Item]) -> list[Result]:
    if len(items) < 2:
        return [(None, 0.0, None)]  # InfluxDB's "nil" point carries a zero value
    avg = 0.0
    n = 0
    for item in items:
        v = float(item[1])
        if math.isnan(v):
            continue
        n += 1
        avg += (v - avg) / n
    variance = 0.0
    for item in items:
        v = float(item[1])
        if math.isnan(v):
            continue
        variance += (v - avg) * (v - avg)
    return [(None, math.sqrt(variance / (n - 1)), None)]


# -- selectors ----------------------------------------------------------------------------


def _select(better: Callable[[Item, Item], bool]) -> Reduce:
    """A selector keeping the running best item (InfluxDB's FuncReducer)."""

    def reduce(items: list[Item]) -> list[Result]:
        best = items[0]
        for item in items[1:]:
            if better(item, best):
                best = item
        return [best]

    return reduce


first = _select(lambda c, p: c[0] < p[0] or (c[0] == p[0] and c[1] > p[1]))
last = _select(lambda c, p: c[0] > p[0] or (c[0] == p[0] and c[1] > p[1]))
minimum = _select(lambda c, p: c[1] < p[1] or (c[1] == p[1] and c[0] < p[0]))
maximum = _select(lambda c, p: c[1] > p[1] or (c[1] == p[1] and c[0] < p[0]))


def make_percentile(percentile: float) -> Reduce:
    def reduce(items: list[Item]) -> list[Result]:
        n = len(items)
        i = math.floor(n * percentile / 100.0 + 0.5) - 1
        if i < 0 or i >= n:
            return []
        time, value, point = sorted(items, key=_value_of)[i]
        # InfluxDB drops the time of an integer percentile.
        return [(time if type(value) is float else None, value, point)]

    return reduce


def make_top_bottom(n: int, keys: tuple[str, ...], top: bool) -> Reduce:
    """``top``/``bottom``: the ``n`` highest (lowest) values, at most one per distinct
    combination of ``keys`` (fields or tags), in time order."""

    def rank(item: Item) -> tuple[Any, int]:
        return (-item[1] if top else item[1], item[0])

    def reduce(items: list[Item]) -> list[Result]:
        if keys:
            best: dict[tuple[Any, ...], Item] = {}
            for item in items:
                point = item[2]
                key = tuple(point.fields.get(k, point.tags.get(k, "")) for k in keys)
                current = best.get(key)
                if current is None or rank(item) < rank(current):
                    best[key] = item
            items = list(best.values())
        chosen = heapq.nsmallest(n, items, key=rank)
        chosen.sort(key=_time_of)
        return [(t, v, p) for t, v, p in chosen]

    return reduce


def distinct(items: list[Item]) -> list[Result]:
    seen: dict[Any, Item] = {}
    for item in items:
        if item[1] not in seen:
            seen[item[1]] = item
    ordered = sorted(seen.values(), key=lambda item: (item[0], item[1]))
    return [(t, v, None) for t, v, _ in ordered]


def make_holt_winters(h: int, m: int, interval: int, include_fit: bool) -> Reduce:
    def reduce(items: list[Item]) -> list[Result]:
        series = [(t, float(v)) for t, v, _ in items]
        return [(t, v, None) for t, v in forecast_points(series, h, m, include_fit, interval)]

    return reduce


def _value_of(item: Item) -> Any:
    return item[1]


def _time_of(item: Item) -> int:
    return item[0]


# -- streaming transformations ------------------------------------------------------------


class Transformation:
    """A streaming transformation: ``add`` a value, then ``emit`` zero or one result."""

    def add(self, time: int, value: Any) -> None:
        raise NotImplementedError

    def emit(self) -> list[tuple[int, Any]]:
        raise NotImplementedError


class Difference(Transformation):
    """The change from the previous value; same-time values after the first are skipped."""

    def __init__(self) -> None:
        self.prev: tuple[int, Any] | None = None
        self.curr: tuple[int, Any] | None = None

    def add(self, time: int, value: Any) -> None:
        if self.curr is not None and self.curr[0] == time:
            return
        self.prev, self.curr = self.curr, (time, value)

    def emit(self) -> list[tuple[int, Any]]:
        prev, curr = self.prev, self.curr
        if prev is None or curr is None:
            return []
        self.prev = None  # each difference is emitted once
        return [(curr[0], curr[1] - prev[1])]


class Elapsed(Transformation):
    """The time since the previous point, in whole ``unit`` s."""

    def __init__(self, unit: int) -> None:
        self.unit = unit
        self.prev: int | None = None
        self.curr: int | None = None

    def add(self, time: int, value: Any) -> None:
        self.prev, self.curr = self.curr, time

    def emit(self) -> list[tuple[int, Any]]:
        if self.prev is None or self.curr is None:
            return []
        return [(self.curr, _go_div(self.curr - self.prev, self.unit))]


class MovingAverage(Transformation):
    """The mean of the last ``n`` values, once ``n`` have arrived."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.buf: list[Any] = []
        self.pos = 0
        self.total: Any = 0
        self.time = 0

    def add(self, time: int, value: Any) -> None:
        if len(self.buf) != self.n:
            self.buf.append(value)
        else:
            self.total -= self.buf[self.pos]
            self.buf[self.pos] = value
        self.total += value
        self.time = time
        self.pos += 1
        if self.pos >= self.n:
            self.pos = 0

    def emit(self) -> list[tuple[int, Any]]:
        if len(self.buf) != self.n:
            return []
        return [(self.time, self.total / len(self.buf))]


class CumulativeSum(Transformation):
    """The running total of the values."""

    def __init__(self, zero: Any) -> None:
        self.total = zero
        self.time: int | None = None

    def add(self, time: int, value: Any) -> None:
        self.total += value
        self.time = time

    def emit(self) -> list[tuple[int, Any]]:
        if self.time is None:
            return []
        return [(self.time, self.total)]


def _go_div(a: int, b: int) -> int:
    """Go's integer division, truncating toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q
