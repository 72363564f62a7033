"""Kapacitor 1.5's built-in lambda functions, registered as a plugin like anyone's.

Each implementation takes the evaluated arguments and raises :class:`PointError` for
what Kapacitor rejects (``sqrt(1)`` is an error: math wants floats), so a point is
dropped, not the task. Go's behaviour is kept where Python differs: string lengths
and indexes count UTF-8 bytes, math functions return NaN or infinities instead of
raising, ``int()`` of a float truncates, ``string()`` of a float never uses an
exponent. Time functions read the point time in the server's local time zone, as
Kapacitor does (``hour("time")``).

A ``@declare(...)`` signature tells the compiler argument and result types, so it can
reject ``sqrt('a')`` at define time and inline typed comparisons on results::

    |where(lambda: strLength("host") > 3 AND hour("time") >= 9)
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import time
from collections.abc import Callable
from typing import Any

from leyden.kernel import FunctionSpec, PointError, hookimpl

from . import _bessel
from ._lambda_types import Duration, LType, Time, declare, type_name
from .durations import format_duration_literal, parse_influxql_duration
from .lambdas import format_float

INT, FLT, STR, BOOL, DUR, TIME, RGX = (
    LType.INT,
    LType.FLOAT,
    LType.STRING,
    LType.BOOL,
    LType.DURATION,
    LType.TIME,
    LType.REGEX,
)
_INF = math.inf
_NAN = math.nan
_INT64 = (-(2**63), 2**63 - 1)


def _bad(name: str, value: Any, position: str, must: str) -> PointError:
    return PointError(f"cannot pass {type_name(value)} as {position} arg to {name}, must be {must}")


# -- type conversion ---------------------------------------------------------------------

_BOOL_WORDS = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False),
}


@declare(None, returns=BOOL)
def to_bool(value: Any) -> bool:
    """``bool(x)``: strings as Go's ParseBool, numbers 0 and 1."""
    kind = type(value)
    if kind is bool:
        return value
    if kind is str:
        if value in _BOOL_WORDS:
            return _BOOL_WORDS[value]
        raise PointError(f'strconv.ParseBool: parsing "{value}": invalid syntax')
    if (kind is int or kind is float) and value in (0, 1):
        return value == 1
    if kind is int or kind is float:
        raise PointError(f"cannot convert {value} to boolean")
    raise PointError(f"cannot convert {type_name(value)} to boolean")


_GO_INT = re.compile(r"[+-]?[0-9]+")


@declare(None, returns=INT)
def to_int(value: Any) -> int:
    """``int(x)``: floats truncate toward zero, durations give nanoseconds."""
    kind = type(value)
    if kind is int:
        return value
    if kind is float:
        if not math.isfinite(value):
            raise PointError(f"cannot convert {format_float(value)} to integer")
        return int(value)
    if kind is str:
        if _GO_INT.fullmatch(value) is None:
            raise PointError(f'strconv.ParseInt: parsing "{value}": invalid syntax')
        number = int(value)
        if not _INT64[0] <= number <= _INT64[1]:
            raise PointError(f'strconv.ParseInt: parsing "{value}": value out of range')
        return number
    if kind is bool:
        return int(value)
    if kind is Duration:
        return int(value)
    raise PointError(f"cannot convert {type_name(value)} to integer")


_GO_FLOAT = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)", re.I)


@declare(None, returns=FLT)
def to_float(value: Any) -> float:
    """``float(x)`` of an int, float, bool or numeric string."""
    kind = type(value)
    if kind is float:
        return value
    if kind is int or kind is bool:
        return float(value)
    if kind is str:
        if _GO_FLOAT.fullmatch(value) is None:
            raise PointError(f'strconv.ParseFloat: parsing "{value}": invalid syntax')
        return float(value)
    raise PointError(f"cannot convert {type_name(value)} to float")


@declare(None, returns=STR)
def to_string(value: Any) -> str:
    """``string(x)``: Go's formatting of ints, floats, bools and durations."""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return format_float(value)
    if kind is Duration:
        return format_duration_literal(value)
    raise PointError(f"cannot convert {type_name(value)} to string")


@declare(None, DUR, returns=DUR)
def to_duration(value: Any, unit: Any = None) -> Duration:
    """``duration(x)`` of a duration or string, ``duration(n, unit)`` of a number."""
    kind = type(value)
    if kind is Duration:
        return value
    if kind is str:
        try:
            return Duration(parse_influxql_duration(value))
        except ValueError as err:
            raise PointError(str(err)) from None
    if kind is int or kind is float:
        if unit is None:
            raise PointError("duration expects unit argument for int and float values")
        if type(unit) is not Duration:
            raise PointError(f"invalid duration unit type: {type_name(unit)}")
        if kind is int:
            return Duration(value * unit)
        scaled = value * unit
        if not math.isfinite(scaled):
            raise PointError(f"cannot convert {format_float(value)} to duration")
        return Duration(int(scaled))
    raise PointError(f"cannot convert {type_name(value)} to duration")


# -- existence and conditionals ----------------------------------------------------------


@declare(None, returns=BOOL, presence=True)
def is_present(value: Any) -> bool:
    """``isPresent("name")``: whether the point has that field or tag. The compiler
    tests the reference itself; given any other value, it is present."""
    return True


@declare(BOOL, None, None, returns_arg=1)
def if_(condition: Any, then: Any, otherwise: Any) -> Any:
    """``if(cond, a, b)``: all three are evaluated; ``a`` and ``b`` must share a type."""
    if type(condition) is not bool:
        raise PointError(
            f"first argument to if must be a condition with type of bool - got {type_name(condition)}"
        )
    if type(then) is not type(otherwise):
        raise PointError(
            "Different return types are not supported - second argument is "
            f"{type_name(then)} and third argument is {type_name(otherwise)}"
        )
    return then if condition else otherwise


# -- math ------------------------------------------------------------------------------


def _int_arg(name: str, value: Any, position: str = "first") -> int:
    if type(value) is not int:
        raise _bad(name, value, position, "int")
    return value


#: The Python class carrying each argument type of :func:`_typed`, and its name in errors.
_ARG_CLASSES: dict[LType, tuple[type, str]] = {FLT: (float, "float"), INT: (int, "int"), STR: (str, "string")}


def _typed(name: str, fn: Callable[..., Any], returns: LType, *params: LType) -> Callable[..., Any]:
    """``fn`` of one or two arguments as the lambda function ``name``: each argument must
    be exactly of its declared type, else the call fails with Kapacitor's message."""
    (cls1, must1), *rest = (_ARG_CLASSES[param] for param in params)
    if not rest:

        def apply(x: Any) -> Any:
            if type(x) is not cls1:
                raise _bad(name, x, "first", must1)
            return fn(x)

    else:
        ((cls2, must2),) = rest

        def apply(x: Any, y: Any) -> Any:  # type: ignore[misc]
            if type(x) is not cls1:
                raise _bad(name, x, "first", must1)
            if type(y) is not cls2:
                raise _bad(name, y, "second", must2)
            return fn(x, y)

    apply.__name__ = name
    return declare(*params, returns=returns)(apply)


def _go1(fn: Callable[[float], float], overflow: Callable[[float], float]) -> Callable[[float], float]:
    """``fn`` with Go's results where Python raises: NaN for domain errors, and
    ``overflow(x)`` (an infinity) where the result is too large."""

    def apply(x: float) -> float:
        try:
            return fn(x)
        except ValueError:
            return _NAN
        except OverflowError:
            return overflow(x)

    return apply


def _plus_inf(_: float) -> float:
    return _INF


def _signed_inf(x: float) -> float:
    return math.copysign(_INF, x)


def _whole(fn: Callable[[float], int]) -> Callable[[float], float]:
    """floor/ceil/trunc: infinities and NaN pass through, zeros keep their sign."""

    def apply(x: float) -> float:
        if not math.isfinite(x):
            return x
        r = float(fn(x))
        return math.copysign(r, x) if r == 0 else r

    return apply


def _log(fn: Callable[[float], float], pole: float) -> Callable[[float], float]:
    def apply(x: float) -> float:
        if x == pole:
            return -_INF
        if x < pole or x != x:
            return _NAN
        return fn(x)

    return apply


def _atanh(x: float) -> float:
    if x in (1.0, -1.0):
        return math.copysign(_INF, x)
    return _go1(math.atanh, _plus_inf)(x)


def _gamma(x: float) -> float:
    if x == 0:
        return math.copysign(_INF, x)
    if x == -_INF or (x < 0 and x == math.floor(x)) or x != x:
        return _NAN
    try:
        return math.gamma(x)
    except OverflowError:
        return _INF


def _logb(x: float) -> float:
    if x == 0:
        return -_INF
    if math.isinf(x):
        return _INF
    if x != x:
        return _NAN
    return float(math.frexp(x)[1] - 1)


_MATH1: dict[str, Callable[[float], float]] = {
    "abs": math.fabs,
    "acos": _go1(math.acos, _plus_inf),
    "acosh": _go1(math.acosh, _plus_inf),
    "asin": _go1(math.asin, _plus_inf),
    "asinh": math.asinh,
    "atan": math.atan,
    "atanh": _atanh,
    "cbrt": math.cbrt,
    "ceil": _whole(math.ceil),
    "cos": _go1(math.cos, _plus_inf),
    "cosh": _go1(math.cosh, _plus_inf),
    "erf": math.erf,
    "erfc": math.erfc,
    "exp": _go1(math.exp, _plus_inf),
    "exp2": _go1(math.exp2, _plus_inf),
    "expm1": _go1(math.expm1, _plus_inf),
    "floor": _whole(math.floor),
    "gamma": _gamma,
    "j0": lambda x: _bessel.jn(0, x),
    "j1": lambda x: _bessel.jn(1, x),
    "log": _log(math.log, 0.0),
    "log10": _log(math.log10, 0.0),
    "log1p": _log(math.log1p, -1.0),
    "log2": _log(math.log2, 0.0),
    "logb": _logb,
    "sin": _go1(math.sin, _plus_inf),
    "sinh": _go1(math.sinh, _signed_inf),
    "sqrt": _go1(math.sqrt, _plus_inf),
    "tan": _go1(math.tan, _plus_inf),
    "tanh": math.tanh,
    "trunc": _whole(math.trunc),
    "y0": lambda x: _bessel.yn(0, x),
    "y1": lambda x: _bessel.yn(1, x),
}


def _go_max(x: float, y: float) -> float:
    if x == _INF or y == _INF:
        return _INF
    if x != x or y != y:
        return _NAN
    if x == 0 and y == 0:
        return x if math.copysign(1, x) > 0 else y
    return x if x > y else y


def _go_min(x: float, y: float) -> float:
    if x == -_INF or y == -_INF:
        return -_INF
    if x != x or y != y:
        return _NAN
    if x == 0 and y == 0:
        return x if math.copysign(1, x) < 0 else y
    return x if x < y else y


def _go_mod(x: float, y: float) -> float:
    try:
        return math.fmod(x, y)
    except ValueError:
        return _NAN


def _go_pow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except (ValueError, ZeroDivisionError):
        if x == 0 and y < 0:
            odd = y == math.floor(y) and math.fmod(y, 2) != 0
            return math.copysign(_INF, x) if odd else _INF
        return _NAN
    except OverflowError:
        odd = y == math.floor(y) and math.fmod(y, 2) != 0
        return -_INF if x < 0 and odd else _INF


_MATH2: dict[str, Callable[[float, float], float]] = {
    "atan2": math.atan2,
    "hypot": math.hypot,
    "max": _go_max,
    "min": _go_min,
    "mod": _go_mod,
    "pow": _go_pow,
}


@declare(INT, returns=FLT)
def pow10(n: Any) -> float:
    """``pow10(n)``: 10**n for an int n, 0 or +Inf beyond float's range."""
    n = _int_arg("pow10", n)
    if n < -323:
        return 0.0
    if n > 308:
        return _INF
    return float(f"1e{n}")


# -- strings ---------------------------------------------------------------------------


def _byte_index(s: str, index: int) -> int:
    """A code point index as Go's byte index into the UTF-8 encoding."""
    if index <= 0 or s.isascii():
        return index
    return len(s[:index].encode())


def _index_any(s: str, chars: str, last: bool) -> int:
    positions = [i for i, c in enumerate(s) if c in chars]
    if not positions:
        return -1
    return _byte_index(s, positions[-1] if last else positions[0])


def _go_upper(s: str) -> str:
    if s.isascii():
        return s.upper()
    return "".join(u if len(u := c.upper()) == 1 else c for c in s)


def _go_lower(s: str) -> str:
    if s.isascii():
        return s.lower()
    return "".join(u if len(u := c.lower()) == 1 else c for c in s)


#: Go's unicode.IsSpace.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)

_STR2: dict[str, tuple[LType, Callable[[str, str], Any]]] = {
    "strContains": (BOOL, lambda s, sub: sub in s),
    "strContainsAny": (BOOL, lambda s, chars: any(c in s for c in chars)),
    "strCount": (INT, lambda s, sep: s.count(sep)),
    "strHasPrefix": (BOOL, str.startswith),
    "strHasSuffix": (BOOL, str.endswith),
    "strIndex": (INT, lambda s, sep: _byte_index(s, s.find(sep))),
    "strIndexAny": (INT, lambda s, chars: _index_any(s, chars, last=False)),
    "strLastIndex": (INT, lambda s, sep: _byte_index(s, s.rfind(sep))),
    "strLastIndexAny": (INT, lambda s, chars: _index_any(s, chars, last=True)),
    "strTrim": (STR, str.strip),
    "strTrimLeft": (STR, str.lstrip),
    "strTrimPrefix": (STR, str.removeprefix),
    "strTrimRight": (STR, str.rstrip),
    "strTrimSuffix": (STR, str.removesuffix),
}

_STR1: dict[str, tuple[LType, Callable[[str], Any]]] = {
    "strLength": (INT, lambda s: len(s) if s.isascii() else len(s.encode())),
    "strToLower": (STR, _go_lower),
    "strToUpper": (STR, _go_upper),
    "strTrimSpace": (STR, lambda s: s.strip(_GO_SPACE)),
}


@declare(STR, STR, STR, INT, returns=STR)
def str_replace(s: Any, old: Any, new: Any, n: Any) -> str:
    """``strReplace(s, old, new, n)``: the first n occurrences, all when n < 0."""
    for value, position in ((s, "first"), (old, "second"), (new, "third")):
        if type(value) is not str:
            raise _bad("strReplace", value, position, "string")
    return s.replace(old, new, _int_arg("strReplace", n, "fourth"))


@declare(STR, INT, INT, returns=STR)
def str_substring(s: Any, start: Any, stop: Any) -> str:
    """``strSubstring(s, start, stop)``: Go's ``s[start:stop]`` over UTF-8 bytes;
    as in Kapacitor 1.5, a stop at or past the end is out of range."""
    if type(s) is not str:
        raise _bad("strSubstring", s, "first", "string")
    start = _int_arg("strSubstring", start, "second")
    stop = _int_arg("strSubstring", stop, "third")
    for index in (start, stop):
        if index < 0:
            raise PointError(f"found negative index for strSubstring: {index}")
    data = s if s.isascii() else s.encode()
    if stop >= len(data):
        raise PointError(f"stop index too large for string in strSubstring: {stop}")
    if start > stop:
        raise PointError(f"slice bounds out of range [{start}:{stop}]")
    part = data[start:stop]
    return part if isinstance(part, str) else part.decode(errors="replace")


_TEMPLATE_PART = re.compile(r"\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


@functools.lru_cache(maxsize=256)
def _go_template(template: str) -> tuple[tuple[str, int | str], ...]:
    """Go's Regexp.Expand template as ``("text", s)`` and ``("group", n or name)`` parts;
    ``$$`` is a dollar and a malformed ``$`` stays as it is."""
    parts: list[tuple[str, int | str]] = []
    pos = 0
    for m in _TEMPLATE_PART.finditer(template):
        parts.append(("text", template[pos : m.start()]))
        name = m.group(1) or m.group(2)
        if name is None:
            parts.append(("text", "$"))
        else:
            parts.append(("group", int(name) if name.isdigit() else name))
        pos = m.end()
    parts.append(("text", template[pos:]))
    return tuple(part for part in parts if part != ("text", ""))


def _expand(parts: tuple[tuple[str, int | str], ...], m: re.Match[str]) -> str:
    out = []
    for kind, value in parts:
        if kind == "text":
            out.append(str(value))
            continue
        with contextlib.suppress(IndexError):  # no such group: Go expands it to nothing
            out.append(m.group(value) or "")
    return "".join(out)


@declare(RGX, STR, STR, returns=STR)
def regex_replace(pattern: Any, src: Any, template: Any) -> str:
    """``regexReplace(/re/, s, 'x$1')``: every match replaced, ``$1``/``${name}`` expanded."""
    if not isinstance(pattern, re.Pattern):
        raise _bad("regexReplace", pattern, "first", "regex")
    if type(src) is not str:
        raise _bad("regexReplace", src, "second", "string")
    if type(template) is not str:
        raise _bad("regexReplace", template, "third", "string")
    parts = _go_template(template)
    return pattern.sub(lambda m: _expand(parts, m), src)


_HUMAN_SIZES = ("B", "kB", "MB", "GB", "TB", "PB", "EB")


@declare((INT, FLT), returns=STR)
def human_bytes(value: Any) -> str:
    """``humanBytes(n)``: SI units with one decimal below ten (``5.1 kB``, ``21 MB``)."""
    kind = type(value)
    if kind is float:
        if not math.isfinite(value):
            raise PointError(f"cannot convert {format_float(value)} to humanBytes")
        value = int(value)
    elif kind is not int:
        raise PointError(f"cannot convert {type_name(value)} to humanBytes")
    size = value & (2**64 - 1)  # Go converts to uint64
    if size < 10:
        return f"{size} B"
    exponent = math.floor(math.log(size) / math.log(1000))
    shown = math.floor(size / 1000**exponent * 10 + 0.5) / 10
    return f"{shown:.1f} {_HUMAN_SIZES[exponent]}" if shown < 10 else f"{shown:.0f} {_HUMAN_SIZES[exponent]}"


# -- time ------------------------------------------------------------------------------


def _local(name: str, value: Any) -> time.struct_time:
    if type(value) is not Time:
        raise PointError(f"cannot convert {type_name(value)} to time.Time in {name}")
    return time.localtime(value // 1_000_000_000)


_TIME_PARTS: dict[str, Callable[[time.struct_time], int]] = {
    "minute": lambda tm: tm.tm_min,
    "hour": lambda tm: tm.tm_hour,
    "weekday": lambda tm: (tm.tm_wday + 1) % 7,  # Go: Sunday is 0
    "day": lambda tm: tm.tm_mday,
    "month": lambda tm: tm.tm_mon,
    "year": lambda tm: tm.tm_year,
}


def _time_part(name: str, part: Callable[[time.struct_time], int]) -> Callable[[Any], int]:
    @declare(TIME, returns=INT)
    def apply(value: Any) -> int:
        return part(_local(name, value))

    apply.__name__ = name
    return apply


@declare(TIME, returns=INT)
def unix_nano(value: Any) -> int:
    """``unixNano(t)``: nanoseconds since the Unix epoch."""
    if type(value) is not Time:
        raise PointError(f"cannot convert {type_name(value)} to time.Time in unixNano")
    return int(value)


@declare(returns=TIME)
def now() -> Time:
    """``now()``: the wall-clock time of the evaluation."""
    return Time(time.time_ns())


# -- stateful --------------------------------------------------------------------------


@declare(returns=INT)
def count() -> Callable[[], int]:
    """``count()``: how many times the expression was evaluated (per group)."""
    n = 0

    def call() -> int:
        nonlocal n
        n += 1
        return n

    return call


@declare(FLT, returns=FLT)
def sigma() -> Callable[[Any], float]:
    """``sigma(x)``: how many standard deviations x is from the running mean."""
    n = mean = m2 = 0.0

    def call(x: Any) -> float:
        nonlocal n, mean, m2
        if type(x) is not float:
            raise PointError("value is not a float")
        n += 1
        delta = x - mean
        mean += delta / n
        m2 += delta * (x - mean)
        if n < 2:
            return 0.0
        variance = m2 / (n - 1)
        return 0.0 if variance == 0 else abs(x - mean) / math.sqrt(variance)

    return call


@declare(FLT, returns=FLT)
def spread() -> Callable[[Any], float]:
    """``spread(x)``: the running range, maximum minus minimum."""
    low, high = _INF, -_INF

    def call(x: Any) -> float:
        nonlocal low, high
        if type(x) is not float:
            raise PointError("value is not a float")
        low = min(low, x)
        high = max(high, x)
        return high - low

    return call


# -- registration ----------------------------------------------------------------------


def builtin_functions() -> list[FunctionSpec]:
    """Every function Kapacitor 1.5 offers inside lambdas."""
    specs = [
        FunctionSpec("bool", to_bool, (1,)),
        FunctionSpec("int", to_int, (1,)),
        FunctionSpec("float", to_float, (1,)),
        FunctionSpec("string", to_string, (1,)),
        FunctionSpec("duration", to_duration, (1, 2)),
        FunctionSpec("isPresent", is_present, (1,)),
        FunctionSpec("if", if_, (3,)),
        FunctionSpec("pow10", pow10, (1,)),
        FunctionSpec("jn", _typed("jn", _bessel.jn, FLT, INT, FLT), (2,)),
        FunctionSpec("yn", _typed("yn", _bessel.yn, FLT, INT, FLT), (2,)),
        FunctionSpec("strReplace", str_replace, (4,)),
        FunctionSpec("strSubstring", str_substring, (3,)),
        FunctionSpec("regexReplace", regex_replace, (3,)),
        FunctionSpec("humanBytes", human_bytes, (1,)),
        FunctionSpec("unixNano", unix_nano, (1,)),
        FunctionSpec("now", now, (0,)),
        FunctionSpec("count", count, (0,), stateful=True),
        FunctionSpec("sigma", sigma, (1,), stateful=True),
        FunctionSpec("spread", spread, (1,), stateful=True),
    ]
    specs += [FunctionSpec(name, _typed(name, fn, FLT, FLT), (1,)) for name, fn in _MATH1.items()]
    specs += [FunctionSpec(name, _typed(name, fn, FLT, FLT, FLT), (2,)) for name, fn in _MATH2.items()]
    specs += [FunctionSpec(name, _typed(name, fn, result, STR), (1,)) for name, (result, fn) in _STR1.items()]
    specs += [
        FunctionSpec(name, _typed(name, fn, result, STR, STR), (2,)) for name, (result, fn) in _STR2.items()
    ]
    specs += [FunctionSpec(name, _time_part(name, part), (1,)) for name, part in _TIME_PARTS.items()]
    return specs


@hookimpl
def leyden_lambda_functions() -> list[FunctionSpec]:
    return builtin_functions()
