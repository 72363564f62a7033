"""Durations in the notations Kapacitor users meet, all as int nanoseconds.

Kapacitor reads and writes durations in three dialects, and users see all three:

* TICKscript/InfluxQL **literals**: one integer and one unit (``10s``, ``5m``, ``2w``),
  written back in the largest unit that divides them (``90s``, ``1h``).
* InfluxQL's **compound** strings, which the ``duration()`` lambda function reads
  (``1h30m``, ``-250ms``; integers only, ``d`` and ``w`` allowed).
* Go's ``time`` package: ``time.ParseDuration`` for config values (``1m30s``,
  ``1.5h``; fractions allowed, no ``d`` or ``w``) and ``Duration.String`` for what Go
  prints (``1m30s``, ``1h0m0s``, ``1.5µs``), as the API, templates and DOT graphs show it.

::

    parse_duration_literal("10s")        # 10_000_000_000
    format_duration_literal(90 * 10**9)  # "90s"
    parse_go_duration("1m30s")           # 90_000_000_000
    format_go_duration(90 * 10**9)       # "1m30s"
"""

from __future__ import annotations

import re

_US = 1_000
_MS = 1_000_000
_S = 1_000_000_000
_M = 60 * _S
_H = 60 * _M
_D = 24 * _H
_W = 7 * _D

#: Nanoseconds per unit of a TICKscript/InfluxQL duration literal (``u`` and ``µ`` are
#: microseconds; a literal has no ``ns`` unit).
DURATION_UNITS = {"u": _US, "µ": _US, "ms": _MS, "s": _S, "m": _M, "h": _H, "d": _D, "w": _W}
# the literal units, largest first, for formatting ("u" stands for both spellings)
_LITERAL_UNITS_DESC = (("w", _W), ("d", _D), ("h", _H), ("m", _M), ("s", _S), ("ms", _MS), ("u", _US))

_LITERAL = re.compile(r"(-?\d+)(ms|u|µ|s|m|h|d|w)")
# the API's duration vars also take nanoseconds and "us"
_API_UNITS = {"ns": 1, "us": _US, **DURATION_UNITS}
_API_LITERAL = re.compile(r"(-?\d+)(ns|us|u|µ|ms|s|m|h|d|w)")

_INFLUXQL_UNITS = {"ns": 1, "us": _US, "µs": _US, **DURATION_UNITS}
_INFLUXQL_PART = re.compile(r"([0-9]+)(ns|us|µs|u|µ|ms|s|m|h|d|w)")

# Go accepts both the micro sign (U+00B5) and the Greek mu (U+03BC)
_GO_UNITS = {"ns": 1, "us": _US, "µs": _US, "μs": _US, "ms": _MS, "s": _S, "m": _M, "h": _H}
_GO_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration_literal(text: str) -> int:
    """Nanoseconds of a TICKscript duration literal such as ``10s`` or ``-5m``: one
    integer and one unit, no compound durations. Raises ValueError otherwise."""
    match = _LITERAL.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"invalid duration {text!r}")
    return int(match.group(1)) * DURATION_UNITS[match.group(2)]


def parse_api_duration(text: str) -> int:
    """Nanoseconds of a duration var as the HTTP API takes it in a string: a literal
    (:func:`parse_duration_literal`) that may also be in ``ns`` or ``us``."""
    match = _API_LITERAL.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"invalid duration {text!r}")
    return int(match.group(1)) * _API_UNITS[match.group(2)]


def format_duration_literal(ns: int) -> str:
    """The shortest duration literal for ``ns``, in the largest unit that divides it
    (``90s``, ``2w``, ``-1h``); ``ns`` when no literal unit does."""
    if ns == 0:
        return "0s"
    sign, ns = ("-", -ns) if ns < 0 else ("", ns)
    for unit, size in _LITERAL_UNITS_DESC:
        if ns % size == 0:
            return f"{sign}{ns // size}{unit}"
    return f"{sign}{ns}ns"


def parse_influxql_duration(text: str) -> int:
    """Nanoseconds of an InfluxQL duration string as the ``duration()`` function reads
    it: integer parts with units, compound allowed (``1h30m``, ``-250ms``, ``2w``).
    Raises ValueError otherwise."""
    body = text[1:] if text.startswith("-") else text
    total, pos = 0, 0
    while pos < len(body):
        match = _INFLUXQL_PART.match(body, pos)
        if match is None:
            break
        total += int(match.group(1)) * _INFLUXQL_UNITS[match.group(2)]
        pos = match.end()
    if len(text) < 2 or not body or pos != len(body):
        raise ValueError(f'invalid duration string "{text}"')
    return -total if text.startswith("-") else total


def parse_go_duration(text: str) -> int:
    """Nanoseconds of a Go ``time.ParseDuration`` string, as config files hold them:
    compound and fractional (``10s``, ``1m30s``, ``1.5h``, ``250ms``), units ``ns`` to
    ``h`` (no days), a bare ``0``. Raises ValueError otherwise."""
    stripped = text.strip()
    sign = -1 if stripped.startswith("-") else 1
    body = stripped.lstrip("+-")
    if body == "0":
        return 0
    total = 0.0
    pos = 0
    for match in _GO_PART.finditer(body):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _GO_UNITS[match.group(2)]
        pos = match.end()
    if pos != len(body) or not body:
        raise ValueError(f"invalid duration {text!r} (write e.g. 10s, 1m30s, 500ms)")
    return sign * round(total)


def format_go_duration(ns: int) -> str:
    """Go's ``Duration.String``: ``0s``, ``850ns``, ``1.5µs``, ``250ms``, ``2m3.5s``,
    ``1h0m0s``."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    u = abs(ns)
    if u < _S:
        for unit, size in (("ns", 1), ("µs", _US), ("ms", _MS)):
            if u < size * 1000:
                return sign + _decimal(u, size) + unit
    seconds, frac = divmod(u, _S)
    text = _decimal(seconds % 60 * _S + frac, _S) + "s"
    minutes = seconds // 60
    if minutes:
        text = f"{minutes % 60}m" + text
        hours = minutes // 60
        if hours:
            text = f"{hours}h" + text
    return sign + text


def _decimal(value: int, unit: int) -> str:
    """``value / unit`` as Go prints it: no trailing zeros, no point when whole."""
    whole, rest = divmod(value, unit)
    if not rest:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}." + f"{rest:0{digits}d}".rstrip("0")
