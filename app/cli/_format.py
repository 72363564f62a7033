"""Text output in the layout of Kapacitor's CLI, so scripts that parse it keep working."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from leyden.kernel import parse_time
from leyden.tick import format_duration_literal


def rfc822(text: str) -> str:
    """An API time as Go's ``time.RFC822`` (``28 Nov 26 09:42 UTC``)."""
    ns = parse_time(text)
    moment = dt.datetime.fromtimestamp(ns // 1_000_000_000, tz=dt.UTC)
    return moment.strftime("%d %b %y %H:%M UTC")


def dbrps(items: Sequence[Mapping[str, str]] | None) -> str:
    """``["db"."rp" "db2"."rp2"]``, as Go prints a list of DBRPs."""
    return "[" + " ".join(f'"{d["db"]}"."{d["rp"]}"' for d in items or ()) + "]"


def var_value(var: Mapping[str, Any]) -> str:
    """A variable's value as TICKscript would write it."""
    typ, value = var.get("type"), var.get("value")
    if value is None and typ != "star":
        return "<nil>"
    if typ == "string":
        return "'" + str(value).replace("'", "\\'") + "'"
    if typ == "duration":
        return format_duration_literal(int(value))
    if typ == "regex":
        return f"/{value}/"
    if typ == "star":
        return "*"
    if typ == "bool":
        return "TRUE" if value else "FALSE"
    if typ == "list":
        return "[" + ", ".join(var_value(v) for v in value) + "]"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest cell, one space apart."""
    cells = [list(map(str, headers)), *[list(map(str, r)) for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [" ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)
