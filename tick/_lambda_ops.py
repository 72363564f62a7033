"""Kapacitor's operator table for lambdas, shared by code generation and runtime.

Each allowed ``(operator, left type, right type)`` has a result type and a Python
template. The compiler inlines the template when it knows both types; when an operand
comes from a point (its type is only known per point) the same templates, compiled
once into small functions, are looked up by the operands' exact classes. Anything
missing from the table is "mismatched type to binary operator", as in Kapacitor 1.5.

Go semantics that Python does not share are spelled out here: integer division and
remainder truncate toward zero (``-9 % 4 == -1``), a duration scaled by a float is
truncated back to whole nanoseconds, and dividing by zero is an error (Go panics on
integers; for floats we refuse rather than produce an infinity no output can encode).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from leyden.kernel import PointError

from ._lambda_types import PY_TYPES, Duration, LType, Time, type_name, type_of

INT, FLT, STR, BOOL, DUR, RGX = LType.INT, LType.FLOAT, LType.STRING, LType.BOOL, LType.DURATION, LType.REGEX

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
LOGICAL = ("AND", "OR")
MATH = ("+", "-", "*", "/", "%")
REGEX_MATCH = ("=~", "!~")


def _table() -> dict[tuple[str, LType, LType], tuple[LType, str]]:
    table: dict[tuple[str, LType, LType], tuple[LType, str]] = {}
    ordered = ((INT, INT), (FLT, FLT), (INT, FLT), (FLT, INT), (STR, STR), (DUR, DUR))
    for op in COMPARISONS:
        pairs = (*ordered, (BOOL, BOOL)) if op in ("==", "!=") else ordered
        for lt, rt in pairs:
            table[op, lt, rt] = (BOOL, f"({{l}} {op} {{r}})")
    for op in LOGICAL:
        table[op, BOOL, BOOL] = (BOOL, f"({{l}} {op.lower()} {{r}})")
    table["=~", STR, RGX] = (BOOL, "({r}.search({l}) is not None)")
    table["!~", STR, RGX] = (BOOL, "({r}.search({l}) is None)")
    # ints and durations are Go's int64: arithmetic wraps around (_wrap)
    for op in ("+", "-", "*"):
        table[op, INT, INT] = (INT, f"_wrap({{l}} {op} {{r}})")
        table[op, FLT, FLT] = (FLT, f"({{l}} {op} {{r}})")
    table["+", STR, STR] = (STR, "({l} + {r})")
    table["+", DUR, DUR] = (DUR, "_Duration(_wrap({l} + {r}))")
    table["-", DUR, DUR] = (DUR, "_Duration(_wrap({l} - {r}))")
    table["*", DUR, INT] = table["*", INT, DUR] = (DUR, "_Duration(_wrap({l} * {r}))")
    table["*", DUR, FLT] = table["*", FLT, DUR] = (DUR, "_Duration(_int({l} * {r}))")
    table["/", FLT, FLT] = (FLT, "_fdiv({l}, {r})")
    table["/", INT, INT] = (INT, "_wrap(_idiv({l}, {r}))")
    table["/", DUR, INT] = (DUR, "_Duration(_wrap(_idiv({l}, {r})))")
    table["/", DUR, FLT] = (DUR, "_Duration(_int(_fdiv({l}, {r})))")
    table["/", DUR, DUR] = (INT, "_wrap(_idiv({l}, {r}))")
    table["%", INT, INT] = (INT, "_imod({l}, {r})")
    return table


#: ``(op, left, right) -> (result type, template with {l} and {r})``.
BINARY = _table()

#: Types for which an operator exists at all, for Kapacitor's "invalid operator" message.
_OPERATOR_TYPES: dict[str, set[LType]] = {}
for _op, _lt, _rt in BINARY:
    _OPERATOR_TYPES.setdefault(_op, set()).update((_lt, _rt))


def operator_kind(op: str) -> str:
    if op in MATH:
        return "math"
    if op in LOGICAL:
        return "logical"
    return "comparison"


def mismatch(op: str, left: LType | str, right: LType | str) -> str:
    """Kapacitor's message for a pair of types an operator does not accept."""
    supported = _OPERATOR_TYPES.get(op, set())
    for side in (left, right):
        if isinstance(side, LType) and side not in supported:
            return f"invalid {operator_kind(op)} operator {op} for type {side}"
    return (
        f"mismatched type to binary operator. got {left} {op} {right}. "
        "see bool(), int(), float(), string(), duration()"
    )


# -- runtime helpers named in the templates ---------------------------------------------


_INT64_SPAN = 1 << 64
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


def wrap(x: int) -> int:
    """Go's int64 arithmetic: a result out of range wraps around, as the CPU does."""
    if _INT64_MIN <= x <= _INT64_MAX:
        return x
    return (x - _INT64_MIN) % _INT64_SPAN + _INT64_MIN


def _idiv(a: int, b: int) -> int:
    """Go's integer division: truncates toward zero."""
    if b == 0:
        raise PointError("integer divide by zero")
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _imod(a: int, b: int) -> int:
    """Go's remainder: takes the sign of the dividend."""
    if b == 0:
        raise PointError("integer divide by zero")
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def _fdiv(a: float, b: float) -> float:
    """Go's float division: dividing by zero gives an infinity, or NaN for 0/0."""
    if b == 0:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _int(x: float) -> int:
    if x != x or x in (float("inf"), float("-inf")):
        raise PointError(f"cannot convert {x} to a duration")
    return int(x)


#: Names the generated code may use, bound once into its globals.
RUNTIME: dict[str, Any] = {
    "_Duration": Duration,
    "_Time": Time,
    "_idiv": _idiv,
    "_imod": _imod,
    "_fdiv": _fdiv,
    "_int": _int,
    "_wrap": wrap,
}


def _compile_template(template: str) -> Callable[[Any, Any], Any]:
    return eval("lambda l, r: " + template.format(l="l", r="r"), dict(RUNTIME))


def _exact(op: str) -> Callable[[Any, Any], Any]:
    """The operator applied to runtime values of any type, with Kapacitor's typing."""
    impls = {
        (PY_TYPES[lt], PY_TYPES[rt]): _compile_template(template)
        for (o, lt, rt), (_, template) in BINARY.items()
        if o == op
    }

    def apply(left: Any, right: Any) -> Any:
        impl = impls.get((type(left), type(right)))
        if impl is None:
            raise PointError(
                mismatch(op, type_of(left) or type_name(left), type_of(right) or type_name(right))
            )
        return impl(left, right)

    apply.__name__ = f"exact_{op}"
    return apply


#: ``op -> f(left, right)`` for operands whose types are only known per point.
EXACT: dict[str, Callable[[Any, Any], Any]] = {op: _exact(op) for op in (*COMPARISONS, *MATH, *REGEX_MATCH)}


def negate(value: Any) -> Any:
    """Unary minus on a runtime value: numbers and durations only."""
    kind = type(value)
    if kind is int:
        return wrap(-value)
    if kind is float:
        return -value
    if kind is Duration:
        return Duration(wrap(-value))
    raise PointError(f"invalid unary operator - for type {type_name(value)}")


def not_bool(value: Any) -> bool:
    """Raised for a non-boolean where a boolean is required (AND, OR, !, where)."""
    raise PointError(f"expected a boolean, got {type_name(value)} {value!r}")


def missing(name: str) -> PointError:
    return PointError(f'no field or tag exists for "{name}"')


def absent_among(fields: dict[str, Any], tags: dict[str, str], names: tuple[str, ...]) -> bool:
    """Raise for the first of ``names`` the point lacks (a skipped AND/OR operand still
    needs its references, as Kapacitor type-checks the whole expression first)."""
    for name in names:
        if name not in fields and name not in tags:
            raise missing(name)
    raise AssertionError("absent_among called although every name is present")


def collision(name: str) -> Any:
    raise PointError(f'cannot have field and tags with same name "{name}"')


def as_point_error(err: Exception) -> PointError:
    """Turn what a Python operation raised while evaluating into a point error."""
    if isinstance(err, KeyError) and err.args:
        return missing(err.args[0])
    if isinstance(err, ZeroDivisionError):
        return PointError("division by zero")
    return PointError(f"{type(err).__name__}: {err}")


RUNTIME.update(
    {
        "_exact": EXACT,
        "_negate": negate,
        "_not_bool": not_bool,
        "_absent_among": absent_among,
        "_collision": collision,
        "_PointError": PointError,
        "_as_point_error": as_point_error,
    }
)
