"""The InfluxQL functions as Kapacitor 1.5 computes them (InfluxDB's reducers).

Each function reduces the values of one field. The value type is fixed by the first
value a reduction sees; it decides which types a function accepts and what type its
result has (``mean`` of ints is a float, ``sum`` of ints an int, ``count`` always an
int). Ties and orders follow InfluxDB: ``max`` keeps the earliest of equal values,
``first`` the largest of same-time values, ``top`` the earliest, and sorts are
stable as Go's are for the small slices they see.

Batch-style functions take the values and the points they come from and return
:data:`Result` s; a result's time is None where InfluxDB returns its "zero time"
(the caller then uses the batch time). Streaming transformations (``difference``, ``elapsed``, ...) are
small state machines fed one value at a time.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable
from typing import Any

from leyden.kernel import Point

from ._holtwinters import forecast_points

#: ``(time or None, value, selected point or None)``.
Result = tuple[int | None, Any, Point | None]
#: A reduction of the values of one field and the points they come from.
Reduce = Callable[[list[Any], list[Point]], list[Result]]

NUMERIC = frozenset({float, int})
ANY_TYPE = frozenset({float, int, str, bool})


def value_type(v: Any) -> type | None:
    """The InfluxQL type of a field value: float, int, str or bool (None otherwise).

    Durations and times made by lambdas are int subclasses and count as ints, as
    Go's reflection sees ``time.Duration`` as an int64."""
    t = type(v)
    if t is float or t is int or t is str or t is bool:
        return t
    for kind in (bool, int, float, str):
        if isinstance(v, kind):
            return kind
    return None


def _by_value(values: list[Any]) -> list[int]:
    """Indices of ``values`` in ascending value order, stable for equal values."""
    return sorted(range(len(values)), key=values.__getitem__)


# -- aggregates ---------------------------------------------------------------------------


def count(values: list[Any], points: list[Point]) -> list[Result]:
    return [(None, len(values), None)]


def make_sum(zero: Any) -> Reduce:
    def reduce(values: list[Any], points: list[Point]) -> list[Result]:
        total = zero
        for v in values:
            total = total + v
        return [(None, total, None)]

    return reduce


def mean(values: list[Any], points: list[Point]) -> list[Result]:
    total: Any = 0
    for v in values:
        total = total + v
    return [(None, total / len(values), None)]


def median(values: list[Any], points: list[Point]) -> list[Result]:
    if len(values) == 1:
        value = values[0]
        return [(points[0].time, value, None) if type(value) is float else (None, float(value), None)]
    ordered = sorted(values)
    half = len(ordered) // 2
    if len(ordered) % 2 == 0:
        lo, hi = ordered[half - 1], ordered[half]
        if type(lo) is int:
            return [(None, float(lo) + float(hi - lo) / 2, None)]
        return [(None, lo + (hi - lo) / 2, None)]
    return [(None, float(ordered[half]), None)]


def mode(values: list[Any], points: list[Point]) -> list[Result]:
    if len(values) == 1:
        return [(points[0].time, values[0], None)]
    order = _by_value(values)
    most_freq = curr_freq = 0
    curr_mode = most_mode = values[order[0]]
    most_time = curr_time = points[order[0]].time
    for i in order:
        value, time = values[i], points[i].time
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


def spread(values: list[Any], points: list[Point]) -> list[Result]:
    low = high = values[0]
    for v in values:
        if v < low:
            low = v
        if v > high:
            high = v
    return [(None, high - low, None)]


def stddev(values: list[Any], points: list[Point]) -> list[Result]:
    if len(values) < 2:
        return [(None, 0.0, None)]  # InfluxDB's "nil" point carries a zero value
    floats = [float(v) for v in values if not (type(v) is float and math.isnan(v))]
    avg = 0.0
    for n, v in enumerate(floats, 1):
        avg += (v - avg) / n
    variance = 0.0
    for v in floats:
        variance += (v - avg) * (v - avg)
    return [(None, math.sqrt(variance / (len(floats) - 1)), None)]


# -- selectors ----------------------------------------------------------------------------


def _select(better: Callable[[int, Any, int, Any], bool]) -> Reduce:
    """A selector keeping the running best point (InfluxDB's FuncReducer);
    ``better(time, value, best_time, best_value)``."""

    def reduce(values: list[Any], points: list[Point]) -> list[Result]:
        best = 0
        best_time, best_value = points[0].time, values[0]
        for i in range(1, len(values)):
            time, value = points[i].time, values[i]
            if better(time, value, best_time, best_value):
                best, best_time, best_value = i, time, value
        return [(best_time, best_value, points[best])]

    return reduce


first = _select(lambda t, v, bt, bv: t < bt or (t == bt and v > bv))
last = _select(lambda t, v, bt, bv: t > bt or (t == bt and v > bv))
minimum = _select(lambda t, v, bt, bv: v < bv or (v == bv and t < bt))
maximum = _select(lambda t, v, bt, bv: v > bv or (v == bv and t < bt))


def make_percentile(percentile: float) -> Reduce:
    def reduce(values: list[Any], points: list[Point]) -> list[Result]:
        n = len(values)
        i = math.floor(n * percentile / 100.0 + 0.5) - 1
        if i < 0 or i >= n:
            return []
        chosen = _by_value(values)[i]
        value, point = values[chosen], points[chosen]
        # InfluxDB drops the time of an integer percentile.
        return [(point.time if type(value) is float else None, value, point)]

    return reduce


def make_top_bottom(n: int, keys: tuple[str, ...], top: bool) -> Reduce:
    """``top``/``bottom``: the ``n`` highest (lowest) values, at most one per distinct
    combination of ``keys`` (fields or tags), in time order."""

    def reduce(values: list[Any], points: list[Point]) -> list[Result]:
        def rank(i: int) -> tuple[Any, int]:
            return (-values[i] if top else values[i], points[i].time)

        candidates: Iterable[int] = range(len(values))
        if keys:
            best: dict[tuple[Any, ...], int] = {}
            for i in candidates:
                point = points[i]
                key = tuple(point.fields.get(k, point.tags.get(k, "")) for k in keys)
                current = best.get(key)
                if current is None or rank(i) < rank(current):
                    best[key] = i
            candidates = best.values()
        chosen = heapq.nsmallest(n, candidates, key=rank)
        chosen.sort(key=lambda i: points[i].time)
        return [(points[i].time, values[i], points[i]) for i in chosen]

    return reduce


def distinct(values: list[Any], points: list[Point]) -> list[Result]:
    seen: dict[Any, int] = {}
    for i, v in enumerate(values):
        if v not in seen:
            seen[v] = points[i].time
    ordered = sorted(seen.items(), key=lambda item: (item[1], item[0]))
    return [(time, value, None) for value, time in ordered]


def make_holt_winters(h: int, m: int, interval: int, include_fit: bool) -> Reduce:
    def reduce(values: list[Any], points: list[Point]) -> list[Result]:
        series = [(p.time, float(v)) for v, p in zip(values, points, strict=True)]
        return [(t, v, None) for t, v in forecast_points(series, h, m, include_fit, interval)]

    return reduce


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
