"""Kapacitor's JSON shapes for data: rows, series and results, and its time format."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ._messages import Batch, Point

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


def format_time(ns: int) -> str:
    """Go's RFC3339Nano in UTC: ``2020-01-01T00:00:25.5Z``, trailing zeros dropped."""
    seconds, frac = divmod(ns, 1_000_000_000)
    stamp = (_EPOCH + _dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        stamp += "." + f"{frac:09d}".rstrip("0")
    return stamp + "Z"


def parse_time(text: str) -> int:
    """RFC3339 (with optional fraction and offset) to nanoseconds since the epoch."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    frac_ns = 0
    if "." in text:
        head, rest = text.split(".", 1)
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        frac_ns = int((digits + "000000000")[:9])
        text = head + rest
    moment = _dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.UTC)
    delta = moment - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + frac_ns


def point_row(p: Point) -> dict[str, Any]:
    """A point as one series with one row (Kapacitor's ``PointToRow``)."""
    columns = ["time", *sorted(p.fields)]
    fields = p.fields
    row: dict[str, Any] = {"name": p.name}
    if p.tags:
        row["tags"] = dict(p.tags)
    row["columns"] = columns
    row["values"] = [[format_time(p.time), *(fields[c] for c in columns[1:])]]
    return row


def batch_row(b: Batch) -> dict[str, Any]:
    """A batch as one series; columns come from its first point (``BatchToRow``)."""
    row: dict[str, Any] = {"name": b.name}
    if b.tags:
        row["tags"] = dict(b.tags)
    if not b.points:
        return row
    first = b.points[0]
    columns = sorted([*first.fields, *(t for t in first.tags if t not in b.tags)])
    row["columns"] = ["time", *columns]
    values = []
    for p in b.points:
        fields, tags = p.fields, p.tags
        values.append([format_time(p.time), *(fields[c] if c in fields else tags.get(c) for c in columns)])
    row["values"] = values
    return row


def result(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Kapacitor's result document; with no rows its series are ``null``."""
    return {"series": rows or None}
