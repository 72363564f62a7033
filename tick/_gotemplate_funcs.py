"""What Go templates do with values: truth, fields and methods, built-in functions.

Part of :mod:`leyden.tick.gotemplate`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from leyden.kernel import PointError

from ._govalues import (
    NO_VALUE,
    GoJSONError,
    GoMethods,
    GoStruct,
    GoTime,
    StringMap,
    go_json,
    go_type_name,
    html_escape,
    js_escape,
    sprint,
    sprintf,
    sprintln,
    url_query_escape,
)


class TemplateExecError(PointError):
    """Rendering failed for this data (a missing struct field, a bad comparison)."""


def truth(value: Any) -> bool:
    """Go's notion of "true" for ``if``, ``with``, ``and``, ``or``, ``not``."""
    if value is None or value is NO_VALUE:
        return False
    if isinstance(value, GoStruct | GoTime):
        return True
    if isinstance(value, bool | int | float):
        return bool(value)
    if isinstance(value, str | list | tuple | Mapping):
        return len(value) > 0
    return True


def field_of(receiver: Any, name: str, args: list[Any] | None) -> Any:
    """``receiver.name`` with Go's rules; ``args`` (or None) for method calls."""
    if receiver is NO_VALUE:
        return NO_VALUE
    if receiver is None:
        raise TemplateExecError(f"nil pointer evaluating interface {{}}.{name}")
    if isinstance(receiver, GoMethods):
        if name in receiver.go_methods:
            method = getattr(receiver, name)
            try:
                return method(*(args or ()))
            except TypeError:
                raise TemplateExecError(f"wrong number of args for {name}") from None
        raise TemplateExecError(f"can't evaluate field {name} in type {receiver.go_type}")
    if args:
        raise TemplateExecError(f"{name} is not a method but has arguments")
    if isinstance(receiver, GoStruct):
        try:
            return receiver.fields[name]
        except KeyError:
            raise TemplateExecError(f"can't evaluate field {name} in type {receiver.type_name}") from None
    if isinstance(receiver, Mapping):
        return receiver.get(name, NO_VALUE)
    raise TemplateExecError(f"can't evaluate field {name} in type {go_type_name(receiver)}")


# -- built-in functions -----------------------------------------------------------------


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if value is None or value is NO_VALUE:
        return "nil"
    return ""


def _eq(arg1: Any, *args: Any) -> bool:
    if not args:
        raise TemplateExecError("missing argument for comparison")
    k1 = _kind(arg1)
    for arg in args:
        k2 = _kind(arg)
        if k1 == "nil" or k2 == "nil":
            if k1 == k2:
                return True
            continue
        if not k1 or not k2:
            raise TemplateExecError("invalid type for comparison")
        if k1 != k2:
            raise TemplateExecError("incompatible types for comparison")
        if arg1 == arg:
            return True
    return False


def _ne(a: Any, b: Any) -> bool:
    return not _eq(a, b)


def _lt(a: Any, b: Any) -> bool:
    k1, k2 = _kind(a), _kind(b)
    if k1 in ("", "nil", "bool") or k2 in ("", "nil", "bool"):
        raise TemplateExecError("invalid type for comparison")
    if k1 != k2:
        raise TemplateExecError("incompatible types for comparison")
    return bool(a < b)


def _le(a: Any, b: Any) -> bool:
    return _lt(a, b) or _eq(a, b)


def _gt(a: Any, b: Any) -> bool:
    return not _le(a, b)


def _ge(a: Any, b: Any) -> bool:
    return not _lt(a, b)


def _not(value: Any) -> bool:
    return not truth(value)


def _len(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, list | tuple | Mapping):
        return len(value)
    if value is None or value is NO_VALUE:
        raise TemplateExecError("len of nil pointer")
    raise TemplateExecError(f"len of type {go_type_name(value)}")


def _index(item: Any, *indexes: Any) -> Any:
    for index in indexes:
        if item is None or item is NO_VALUE:
            raise TemplateExecError("index of untyped nil")
        if isinstance(item, Mapping):
            if not isinstance(index, str):
                raise TemplateExecError(f"value has type {go_type_name(index)}; should be string")
            item = item.get(index, "" if isinstance(item, StringMap) else None)
        elif isinstance(item, list | tuple | str):
            if not isinstance(index, int) or isinstance(index, bool):
                raise TemplateExecError(f"cannot index slice/array with type {go_type_name(index)}")
            seq: Any = item.encode("utf-8") if isinstance(item, str) else item
            if not 0 <= index < len(seq):
                raise TemplateExecError(f"index out of range: {index}")
            item = seq[index]
        else:
            raise TemplateExecError(f"can't index item of type {go_type_name(item)}")
    return item


def _slice(item: Any, *indexes: Any) -> Any:
    if not isinstance(item, list | tuple | str):
        raise TemplateExecError(f"can't slice item of type {go_type_name(item)}")
    if len(indexes) > 2:
        raise TemplateExecError("too many slice indexes")
    seq: Any = item.encode("utf-8") if isinstance(item, str) else item
    bounds = [int(i) for i in indexes] + [len(seq)] * (2 - len(indexes))
    lo, hi = (bounds[0], bounds[1]) if indexes else (0, len(seq))
    if not 0 <= lo <= hi <= len(seq):
        raise TemplateExecError(f"index out of range: {lo}:{hi}")
    part = seq[lo:hi]
    return part.decode("utf-8", "replace") if isinstance(item, str) else list(part)


def _escaper(fn: Callable[[str], str]) -> Callable[..., str]:
    def escape(*args: Any) -> str:
        text = args[0] if len(args) == 1 and isinstance(args[0], str) else sprint(*args)
        return fn(text)

    return escape


def _json(value: Any) -> str:
    try:
        return go_json(value) + "\n"
    except GoJSONError as err:
        raise TemplateExecError(str(err)) from err


BUILTINS: dict[str, Callable[..., Any]] = {
    "not": _not,
    "len": _len,
    "index": _index,
    "slice": _slice,
    "print": sprint,
    "printf": lambda fmt, *args: sprintf(_string_arg(fmt), *args),
    "println": sprintln,
    "html": _escaper(html_escape),
    "js": _escaper(js_escape),
    "urlquery": _escaper(url_query_escape),
    "eq": _eq,
    "ne": _ne,
    "lt": _lt,
    "le": _le,
    "gt": _gt,
    "ge": _ge,
    "json": _json,
}


def _string_arg(value: Any) -> str:
    if not isinstance(value, str):
        raise TemplateExecError(f"wrong type for value; expected string; got {go_type_name(value)}")
    return value
