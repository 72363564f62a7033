"""Holt-Winters forecasting as InfluxQL computes it (damped trend, optional season).

Kapacitor's ``holtWinters`` and ``holtWintersWithFit`` reuse InfluxDB's reducer, so
matching its numbers to the last digit means doing the same floating-point work in
the same order: the same grid of starting guesses, the same Nelder-Mead simplex
search, and the same quirk that computing an error clamps the candidate parameters
in place.
"""

from __future__ import annotations

import math
from collections.abc import Callable

#: Weight of the first values in the non-seasonal starting guesses.
_WEIGHT = 0.5
#: Convergence bound of the simplex search.
_EPSILON = 1.0e-4
#: The grid of starting guesses for alpha, beta, gamma and phi: 0.3 and 0.7.
_GUESSES = (0.3, 0.3 + 0.4)
_MAX_ITERATIONS = 1000


def forecast_points(
    points: list[tuple[int, float]], h: int, m: int, include_fit: bool, interval: int
) -> list[tuple[int, float]]:
    """``(time, value)`` forecasts for ``h`` intervals after ``points`` (time-ordered),
    preceded by the fitted values when ``include_fit`` is set."""
    seasonal = m >= 2
    if len(points) < 2 or (seasonal and len(points) < m) or h <= 0 or interval <= 0:
        return []
    half = interval // 2

    def round_time(t: int) -> int:
        q = _go_div(t, interval)
        return (q + 1) * interval if t - q * interval > half else q * interval

    start, stop = round_time(points[0][0]), round_time(points[-1][0])
    if (stop - start) // interval <= 0:
        return []
    y = [points[0][1]]
    t = start
    for time, value in points[1:]:
        rounded = round_time(time)
        if rounded <= t:
            continue  # the same time bucket: keep the first value
        t += interval
        while rounded != t:
            y.append(math.nan)
            t += interval
        y.append(value)
    model = _Model(y, m if seasonal else 0)
    params = model.best_parameters()
    forecasted = model.forecast(h, params)
    if include_fit:
        first = points[0][0]
        return [(first + interval * i, v) for i, v in enumerate(forecasted) if not math.isnan(v)]
    last = points[-1][0]
    return [(last + interval * (i + 1), v) for i, v in enumerate(forecasted[len(y) :]) if not math.isnan(v)]


def _go_div(a: int, b: int) -> int:
    """Go's integer division (truncating toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


class _Model:
    """The observed series ``y`` (NaN for missing buckets) and season length ``m``."""

    def __init__(self, y: list[float], m: int) -> None:
        self.y = y
        self.m = m

    def best_parameters(self) -> list[float]:
        y, m = self.y, self.m
        if m:
            l0 = 0.0
            for i in range(m):
                if not math.isnan(y[i]):
                    l0 += (1 / m) * y[i]
            b0 = 0.0
            i = 0
            while i < m and m + i < len(y):
                if not math.isnan(y[i]) and not math.isnan(y[m + i]):
                    b0 += 1 / (m * m) * (y[m + i] - y[i])
                i += 1
            season = [y[i] / l0 if not math.isnan(y[i]) else 0.0 for i in range(m)]
        else:
            l0 = _WEIGHT * y[0]
            b0 = _WEIGHT * (y[1] - y[0]) if not math.isnan(y[1]) else 0.0
            season = []
        parameters = [0.0, 0.0, 0.0, 0.0, l0, b0, *season]
        min_sse = math.inf
        best: list[float] | None = None
        for alpha in _GUESSES:
            for beta in _GUESSES:
                for gamma in _GUESSES:
                    for phi in _GUESSES:
                        parameters[0:4] = [alpha, beta, gamma, phi]
                        sse, found = _nelder_mead(self.sse, parameters)
                        if sse < min_sse or best is None:
                            min_sse, best = sse, found
        assert best is not None
        return best

    def forecast(self, h: int, params: list[float]) -> list[float]:
        """Fitted values then ``h`` forecasts; clamps ``params`` and updates its
        seasonal part in place, as InfluxDB's implementation does."""
        _clamp(params)
        y = self.y
        y_t = y[0]
        phi = params[3]
        phi_h = phi
        l_t, b_t = params[4], params[5]
        alpha, beta, gamma = params[0], params[1], params[2]
        m = self.m
        so = 0
        if m:
            if m == 1:
                params[6] = 1.0
            so = m - 1
        n = len(y)
        forecasted = [0.0] * (n + h)
        forecasted[0] = y_t
        s_tm = s_tmh = 1.0
        for t in range(1, n + h):
            if m:
                hm = t % m
                s_tm = params[6 + (t - m + so) % m]
                s_tmh = params[6 + (t - m + hm + so) % m]
            l_prev, b_prev = l_t, b_t
            l_t = alpha * (y_t / s_tm) + (1 - alpha) * (l_prev + phi * b_prev)
            b_t = beta * (l_t - l_prev) + (1 - beta) * phi * b_prev
            s_t = gamma * (y_t / (l_prev + phi * b_prev)) + (1 - gamma) * s_tm
            y_t = (l_t + phi_h * b_t) * s_tmh
            phi_h += _go_pow_int(phi, t)
            if m:
                params[6 + (t + so) % m] = s_t
                so += 1
            forecasted[t] = y_t
        return forecasted

    def sse(self, params: list[float]) -> float:
        total = 0.0
        y = self.y
        for observed, fitted in zip(y, self.forecast(0, params), strict=True):
            if math.isnan(observed):
                continue
            if math.isnan(fitted):
                return math.inf
            diff = fitted - observed
            total += diff * diff
        return total


def _go_pow_int(x: float, n: int) -> float:
    """``x ** n`` for a natural ``n`` by repeated squaring, rounding as Go's
    ``math.Pow`` does (C's ``pow`` may differ in the last bit, which can steer the
    simplex search elsewhere)."""
    result = 1.0
    while n:
        if n & 1:
            result *= x
        x *= x
        n >>= 1
    return result


def _clamp(x: list[float]) -> None:
    """Keep alpha, beta, gamma and phi within [0, 1]."""
    for i in range(4):
        if x[i] > 1:
            x[i] = 1.0
        if x[i] < 0:
            x[i] = 0.0


def _nelder_mead(objective: Callable[[list[float]], float], start: list[float]) -> tuple[float, list[float]]:
    """Minimise ``objective`` from ``start`` (simplex scale 1), as InfluxDB's optimiser does."""
    n = len(start)
    pn = (math.sqrt(n + 1) - 1 + n) / (n * math.sqrt(2))
    qn = (math.sqrt(n + 1) - 1) / (n * math.sqrt(2))
    v = [list(start)]
    for i in range(1, n + 1):
        v.append([(pn if i - 1 == j else qn) + start[j] for j in range(n)])
    f = [objective(v[j]) for j in range(n + 1)]
    for _ in range(_MAX_ITERATIONS):
        vg = vs = 0
        for i in range(n + 1):
            if f[i] > f[vg]:
                vg = i
            if f[i] < f[vs]:
                vs = i
        vh = vs
        for i in range(n + 1):
            if f[vh] < f[i] < f[vg]:
                vh = i
        vm = [sum_excluding(v, vg, i) / n for i in range(n)]
        worst = v[vg]
        vr = [vm[i] + 1.0 * (vm[i] - worst[i]) for i in range(n)]
        fr = objective(vr)
        if f[vs] <= fr < f[vh]:
            v[vg] = list(vr)
            f[vg] = fr
        if fr < f[vs]:
            ve = [vm[i] + 2.0 * (vr[i] - vm[i]) for i in range(n)]
            fe = objective(ve)
            if fe < fr:
                v[vg] = list(ve)
                f[vg] = fe
            else:
                v[vg] = list(vr)
                f[vg] = fr
        if fr >= f[vh]:
            worst = v[vg]
            if f[vh] <= fr < f[vg]:
                vc = [vm[i] + 0.5 * (vr[i] - vm[i]) for i in range(n)]
            else:
                vc = [vm[i] - 0.5 * (vm[i] - worst[i]) for i in range(n)]
            fc = objective(vc)
            if fc < f[vg]:
                v[vg] = list(vc)
                f[vg] = fc
            else:
                best = v[vs]
                for row in range(n + 1):
                    if row != vs:
                        v[row] = [best[i] + (v[row][i] - best[i]) / 2.0 for i in range(n)]
                f[vg] = objective(v[vg])
                f[vh] = objective(v[vh])
        favg = 0.0
        for value in f:
            favg += value
        favg /= n + 1
        spread = 0.0
        for value in f:
            spread += (value - favg) * (value - favg) / n
        if math.sqrt(spread) < _EPSILON:
            break
    vs = 0
    for i in range(n + 1):
        if f[i] < f[vs]:
            vs = i
    found = list(v[vs])
    return objective(v[vs]), found


def sum_excluding(v: list[list[float]], skip: int, column: int) -> float:
    """The sum of one coordinate over the simplex vertices except ``skip``."""
    total = 0.0
    for row, vertex in enumerate(v):
        if row != skip:
            total += vertex[column]
    return total
