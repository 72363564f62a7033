"""Bessel functions of integer order (Go's ``math.J0 .. math.Yn``), which Python's
``math`` lacks, for the lambda functions ``j0``, ``j1``, ``jn``, ``y0``, ``y1``, ``yn``.

Classic methods, accurate to about 1e-14 relative away from the functions' zeros:
Miller's backward recurrence for J (normalised by ``J0 + 2*sum(J2k) = 1``), the
Neumann series for Y0 and Y1 from those J values, Hankel's asymptotic expansion for
large arguments (``x > 25`` and ``x > n*n``), forward recurrence for Y of higher
order, and the power series near zero. Special values follow Go (``Yn(n, 0)`` is
-Inf, ``Y`` of a negative is NaN).
"""

from __future__ import annotations

import math

_ASYMPTOTIC_FROM = 25.0
_TINY = 1e-5
_EULER = 0.5772156649015329
_TWO_OVER_PI = 2.0 / math.pi


def jn(n: int, x: float) -> float:
    """The Bessel function of the first kind of order ``n``."""
    if math.isnan(x):
        return x
    if math.isinf(x):
        return 0.0
    sign = 1.0
    if n < 0:
        n, sign = -n, (-1.0 if n % 2 else 1.0)
    if x < 0:
        x, sign = -x, sign * (-1.0 if n % 2 else 1.0)
    if x == 0:
        return sign if n == 0 else 0.0
    if x < 1.0:
        return sign * _j_series(n, x)
    if x > _ASYMPTOTIC_FROM and x > n * n:
        return sign * _hankel(n, x)[0]
    return sign * _miller(n, x)[n]


def yn(n: int, x: float) -> float:
    """The Bessel function of the second kind of order ``n`` (defined for ``x >= 0``)."""
    sign = 1.0
    if n < 0:
        n, sign = -n, (-1.0 if n % 2 else 1.0)
    if math.isnan(x) or x < 0:
        return math.nan
    if math.isinf(x):
        return 0.0
    if x == 0:
        return -sign * math.inf
    if x > _ASYMPTOTIC_FROM:
        y0, y1 = _hankel(0, x)[1], _hankel(1, x)[1]
    elif x < _TINY:
        y0, y1 = _y01_tiny(x)
    else:
        y0, y1 = _neumann(x)
    if n == 0:
        return sign * y0
    previous, current = y0, y1
    for k in range(1, n):
        previous, current = current, (2 * k / x) * current - previous
        if math.isinf(current):
            break
    return sign * current


def _j_series(n: int, x: float) -> float:
    """The power series, for 0 < x < 1 where it converges without cancellation."""
    half = x / 2
    term = math.exp(n * math.log(half) - math.lgamma(n + 1))
    total, k = term, 0
    while abs(term) > 1e-17 * abs(total):
        k += 1
        term *= -half * half / (k * (n + k))
        total += term
    return total


def _miller(n: int, x: float) -> list[float]:
    """J_0(x) .. J_m(x) by backward recurrence from far above ``max(n, x)``."""
    top = max(n, int(x))
    m = 2 * ((top + int(math.sqrt(40 * (top + 1))) + 20) // 2)
    values = [0.0] * (m + 2)
    values[m] = 1.0
    for k in range(m, 0, -1):
        values[k - 1] = (2 * k / x) * values[k] - values[k + 1]
        if abs(values[k - 1]) > 1e250:
            for i in range(k - 1, m + 1):
                values[i] *= 1e-250
    norm = values[0] + 2 * math.fsum(values[2 : m + 1 : 2])
    return [v / norm for v in values[: m + 1]]


def _neumann(x: float) -> tuple[float, float]:
    """Y0 and Y1 from the J values of Miller's recurrence (Neumann series)."""
    j = _miller(1, x)
    log_term = math.log(x / 2) + _EULER
    y0_sum = math.fsum((-1) ** k * j[2 * k] / k for k in range(1, len(j) // 2))
    y0 = _TWO_OVER_PI * (log_term * j[0] - 2 * y0_sum)
    y1_sum = math.fsum(
        (-1) ** k * (2 * k + 1) * j[2 * k + 1] / (k * (k + 1)) for k in range(1, (len(j) - 1) // 2)
    )
    y1 = -_TWO_OVER_PI * j[0] / x + _TWO_OVER_PI * ((log_term - 1) * j[1] - y1_sum)
    return y0, y1


def _y01_tiny(x: float) -> tuple[float, float]:
    """Leading terms of Y0 and Y1 near zero (exact to double precision below 1e-5)."""
    log_term = math.log(x / 2) + _EULER
    j0 = 1 - x * x / 4
    y0 = _TWO_OVER_PI * (log_term * j0 + x * x / 4)
    y1 = -_TWO_OVER_PI / x + (x / math.pi) * (log_term - 0.5)
    return y0, y1


def _hankel(n: int, x: float) -> tuple[float, float]:
    """J_n and Y_n by Hankel's asymptotic expansion (x large against n)."""
    mu = 4.0 * n * n
    p = q = 0.0
    term, k = 1.0, 0
    while True:
        if k % 2 == 0:
            p += term if k % 4 == 0 else -term
        else:
            q += term if k % 4 == 1 else -term
        k += 1
        nxt = term * (mu - (2 * k - 1) ** 2) / (k * 8 * x)
        if abs(nxt) >= abs(term) or abs(nxt) < 1e-17:
            break
        term = nxt
    # chi = x - (n/2 + 1/4) * pi, via cos x and sin x to keep accuracy for large x
    c, s = math.cos(x), math.sin(x)
    phase = (2 * n + 1) % 8  # chi = x - phase * pi / 4
    cos_shift, sin_shift = _QUARTER_TURNS[phase]
    cos_chi = c * cos_shift + s * sin_shift
    sin_chi = s * cos_shift - c * sin_shift
    scale = math.sqrt(_TWO_OVER_PI / x)
    return scale * (p * cos_chi - q * sin_chi), scale * (p * sin_chi + q * cos_chi)


_R = math.sqrt(0.5)
#: (cos, sin) of phase * pi / 4 for phase 0..7.
_QUARTER_TURNS = (
    (1.0, 0.0),
    (_R, _R),
    (0.0, 1.0),
    (-_R, _R),
    (-1.0, 0.0),
    (-_R, -_R),
    (0.0, -1.0),
    (_R, -_R),
)
