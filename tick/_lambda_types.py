"""The value types of TICKscript lambdas and how Python values carry them.

Kapacitor's lambdas are strictly typed: ``int + float`` is an error, a bool is not a
number, a duration is not an int. Python blurs all three (``bool`` is an ``int``,
``1 + 2.5`` works), so the compiler tests exact classes (``type(v) is int``) and
durations and times travel as their own ``int`` subclasses. Being ints, they still
serialise as Kapacitor does (nanoseconds in JSON) wherever a node stores them in a
field.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from leyden.kernel import Duration


class LType(enum.Enum):
    """A lambda value type; the values are Kapacitor's names for them in messages."""

    INT = "int"
    FLOAT = "float"
    STRING = "string"
    BOOL = "boolean"
    DURATION = "duration"
    TIME = "time"
    REGEX = "regex"

    def __str__(self) -> str:
        return self.value


class Time(int):
    """A point in time, nanoseconds since the Unix epoch (Go's ``time.Time``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Time({int(self)})"


#: The exact Python class that carries each lambda type.
PY_TYPES: dict[LType, type] = {
    LType.INT: int,
    LType.FLOAT: float,
    LType.STRING: str,
    LType.BOOL: bool,
    LType.DURATION: Duration,
    LType.TIME: Time,
    LType.REGEX: re.Pattern,
}

_LTYPES: dict[type, LType] = {py: lt for lt, py in PY_TYPES.items()}


def type_of(value: Any) -> LType | None:
    """The lambda type of a runtime value, or None for anything a lambda cannot hold."""
    return _LTYPES.get(type(value))


def type_name(value: Any) -> str:
    """How an error message names the type of ``value``."""
    lt = type_of(value)
    return str(lt) if lt is not None else type(value).__name__


@dataclass(frozen=True)
class Signature:
    """What the lambda compiler may know about a function beyond its FunctionSpec.

    ``params`` lists, per argument position, the types the function accepts (None:
    any); the compiler rejects a statically known argument of another type.
    ``returns`` is the result type when it does not depend on the arguments;
    ``returns_arg`` names the argument whose type the result has (``if``).
    ``presence`` marks ``isPresent``, which tests a reference instead of reading it.
    """

    params: tuple[frozenset[LType] | None, ...] | None = None
    returns: LType | None = None
    returns_arg: int | None = None
    presence: bool = False


def declare(
    *params: LType | tuple[LType, ...] | None,
    returns: LType | None = None,
    returns_arg: int | None = None,
    presence: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Attach a :class:`Signature` to a function implementation (or stateful factory)."""
    norm = tuple(None if p is None else frozenset(p if isinstance(p, tuple) else (p,)) for p in params)
    sig = Signature(norm or None, returns, returns_arg, presence)

    def mark(impl: Callable[..., Any]) -> Callable[..., Any]:
        impl.__leyden_signature__ = sig  # type: ignore[attr-defined]
        return impl

    return mark


def signature_of(impl: Callable[..., Any]) -> Signature:
    """The declared signature of a function implementation, or an empty one."""
    return getattr(impl, "__leyden_signature__", _UNKNOWN)


_UNKNOWN = Signature()
