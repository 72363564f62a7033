"""Task and template variables as Kapacitor's API carries them.

On the wire a variable is ``{"type": "duration", "value": 10000000000, "description": ""}``.
This module checks what a client sends and normalises it (a duration may be given as
nanoseconds or as ``"10s"``; a list holds variables), and turns it into the kernel's
:class:`TaskVar` and back. The values keep the API's representation: durations in
nanoseconds, regexes and lambdas as their source text, ``star`` as null.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from leyden.kernel import LeydenError, TaskVar
from leyden.tick import parse_api_duration

TYPES = ("bool", "int", "float", "string", "regex", "duration", "lambda", "list", "star")


class VarError(LeydenError):
    """A variable sent by a client is malformed."""


def parse_vars(raw: Any) -> dict[str, dict[str, Any]]:
    """Check and normalise the ``vars`` object of a request; None means no vars."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise VarError("vars must be an object")
    out = {}
    for name, var in raw.items():
        try:
            out[name] = _parse_var(var)
        except VarError as err:
            raise VarError(f"invalid var {name}: {err}") from None
    return out


def _parse_var(var: Any) -> dict[str, Any]:
    if not isinstance(var, dict):
        raise VarError("a var must be an object with type and value")
    typ = var.get("type")
    if typ not in TYPES:
        raise VarError(f"invalid var type {typ!r}")
    description = var.get("description") or ""
    if not isinstance(description, str):
        raise VarError("description must be a string")
    return {"type": typ, "value": _parse_value(typ, var.get("value")), "description": description}


def _parse_value(typ: str, value: Any) -> Any:
    if typ == "star":
        return None
    if typ == "bool" and isinstance(value, bool):
        return value
    if typ == "int" and _is_number(value) and float(value).is_integer():
        return int(value)
    if typ == "float" and _is_number(value):
        return float(value)
    if typ in ("string", "regex", "lambda") and isinstance(value, str):
        return value
    if typ == "duration":
        if _is_number(value) and float(value).is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return parse_api_duration(value)
            except ValueError as err:
                raise VarError(str(err)) from None
    if typ == "list" and isinstance(value, list):
        return [_parse_var(item) for item in value]
    raise VarError(f"value {value!r} is not a valid {typ}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def to_task_vars(api_vars: Mapping[str, dict[str, Any]]) -> dict[str, TaskVar]:
    """Normalised API vars to the kernel's variables."""
    return {name: _to_task_var(var) for name, var in api_vars.items()}


def _to_task_var(var: Mapping[str, Any]) -> TaskVar:
    value = var["value"]
    if var["type"] == "list":
        value = [_to_task_var(item) for item in value]
    return TaskVar(var["type"], value, var.get("description", ""))


def to_api_vars(task_vars: Mapping[str, TaskVar]) -> dict[str, dict[str, Any]]:
    """The kernel's variables (a template's declared ones) in the API's shape."""
    return {name: _to_api_var(var) for name, var in task_vars.items()}


def _to_api_var(var: TaskVar) -> dict[str, Any]:
    value = var.value
    if var.type == "list" and isinstance(value, list):
        value = [_to_api_var(item) if isinstance(item, TaskVar) else item for item in value]
    elif isinstance(value, re.Pattern):
        value = value.pattern
    elif hasattr(value, "text"):  # a compiled lambda
        value = value.text
    return {"type": var.type, "value": value, "description": var.description}
