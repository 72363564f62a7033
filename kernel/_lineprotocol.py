"""InfluxDB line protocol: the format every write arrives in.

Parsing is on the hot path of every write, so the common line (no escapes, no
string fields) takes a fast path of plain ``str.split`` calls, and the name and tags
of a series are parsed once and shared by all its points, as are field names
(interned): a window holding a million points would otherwise hold a million copies
of ``"value"``. A malformed line is
reported with its number while the good lines are kept, as InfluxDB's partial
writes do.
"""

from __future__ import annotations

from math import isfinite
from sys import intern
from typing import Any

from ._errors import LineProtocolError
from ._messages import DBRP, Point

#: Nanoseconds per unit of each write precision.
PRECISIONS = {
    "n": 1,
    "ns": 1,
    "u": 1_000,
    "us": 1_000,
    "µ": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}

INT64_MIN, INT64_MAX, UINT64_MAX = -(2**63), 2**63 - 1, 2**64 - 1
#: What a float's text ends with (an int ends with i, a bool with a letter).
_DIGITS = frozenset("0123456789")
_TRUE = frozenset(("t", "T", "true", "True", "TRUE"))
_FALSE = frozenset(("f", "F", "false", "False", "FALSE"))
_SERIES_CACHE_LIMIT = 200_000


class SeriesCache:
    """Parsed ``measurement,tag=value`` keys, so every point of a series shares one
    name string and one tags dict (nodes never mutate them)."""

    def __init__(self) -> None:
        self.parsed: dict[str, tuple[str, dict[str, str]]] = {}

    def get(self, key: str) -> tuple[str, dict[str, str]]:
        hit = self.parsed.get(key)
        if hit is None:
            if len(self.parsed) >= _SERIES_CACHE_LIMIT:
                self.parsed.clear()
            hit = self.parsed[key] = _parse_key(key)
        return hit


def parse_lines(
    data: str,
    *,
    precision: str = "ns",
    now_ns: int = 0,
    dbrp: DBRP | None = None,
    cache: SeriesCache | None = None,
) -> tuple[list[Point], list[LineProtocolError]]:
    """Parse a write body; returns the good points and one error per bad line."""
    try:
        scale = PRECISIONS[precision]
    except KeyError:
        raise ValueError(f"invalid precision {precision!r}") from None
    series_cache = cache or SeriesCache()
    known = series_cache.parsed
    series = series_cache.get
    simple = "\\" not in data and '"' not in data
    points: list[Point] = []
    errors: list[LineProtocolError] = []
    append = points.append
    for number, line in enumerate(data.split("\n"), 1):
        if not line or line[0] == "#":
            continue
        try:
            if simple or ("\\" not in line and '"' not in line):
                parts = line.split(" ")
                if len(parts) == 3:
                    key, fields, stamp = parts
                else:
                    parts = line.split()
                    if not parts or parts[0][0] == "#":
                        continue
                    if len(parts) == 3:
                        key, fields, stamp = parts
                    elif len(parts) == 2:
                        key, fields = parts
                        stamp = ""
                    else:
                        raise ValueError("expected measurement, fields and an optional timestamp")
                hit = known.get(key)
                name, tags = hit if hit is not None else series(key)
                if "," in fields:
                    values = _parse_fields(fields)
                else:
                    field, sep, raw = fields.partition("=")
                    if not sep or not field or not raw:
                        raise ValueError(f"bad field {fields!r}")
                    # a plain decimal float, the most common value, without a call
                    if raw[-1] in _DIGITS and "_" not in raw:
                        try:
                            value = float(raw)
                        except ValueError:
                            raise ValueError(f"invalid field value {raw!r}") from None
                        if not isfinite(value):
                            raise ValueError(f"invalid number {raw!r}")
                        values = {intern(field): value}
                    else:
                        values = {intern(field): _field_value(raw)}
            else:
                key, fields, stamp = _split_slow(line.strip())
                name, tags = series(key)
                values = _parse_fields_slow(fields)
            if stamp:
                try:
                    time = int(stamp) * scale
                except ValueError:
                    raise ValueError(f"invalid timestamp {stamp!r}") from None
                if time > INT64_MAX or time < INT64_MIN:
                    raise ValueError(f"timestamp {stamp} out of range")
            else:
                time = now_ns
        except ValueError as err:
            errors.append(LineProtocolError(f"unable to parse '{line.strip()}': {err}", number))
            continue
        append(Point(name, tags, values, time, dbrp))
    return points, errors


def _parse_fields(text: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for item in text.split(","):
        key, sep, raw = item.partition("=")
        if not sep or not key or not raw:
            raise ValueError(f"bad field {item!r}")
        fields[intern(key)] = _field_value(raw)
    return fields


def _field_value(raw: str) -> Any:
    last = raw[-1]
    if "_" in raw:  # Python's int() and float() take 1_000; InfluxDB does not
        raise ValueError(f"invalid field value {raw!r}")
    try:
        if last == "i":
            value = int(raw[:-1])
            if not INT64_MIN <= value <= INT64_MAX:
                raise ValueError(f"integer {raw} out of range")
            return value
        if last == "u":
            value = int(raw[:-1])
            if not 0 <= value <= UINT64_MAX:
                raise ValueError(f"unsigned integer {raw} out of range")
            return value
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        number = float(raw)
    except ValueError as err:
        if "out of range" in str(err):
            raise
        raise ValueError(f"invalid field value {raw!r}") from None
    if not isfinite(number):
        raise ValueError(f"invalid number {raw!r}")
    return number


def _parse_key(key: str) -> tuple[str, dict[str, str]]:
    parts = _split_unescaped(key, ",")
    name = _unescape(parts[0])
    if not name:
        raise ValueError("missing measurement")
    tags: dict[str, str] = {}
    for item in parts[1:]:
        kv = _split_unescaped(item, "=")
        if len(kv) != 2 or not kv[0] or not kv[1]:
            raise ValueError(f"bad tag {item!r}")
        tags[_unescape(kv[0])] = _unescape(kv[1])
    return name, dict(sorted(tags.items()))


def _split_slow(line: str) -> tuple[str, str, str]:
    """Split a line with escapes or string fields into key, fields and timestamp."""
    sections: list[str] = []
    current: list[str] = []
    in_string = False
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current.append(line[i : i + 2])
            i += 2
            continue
        if ch == '"' and sections and (in_string or line[i - 1] == "="):
            in_string = not in_string  # quotes delimit string values only, not keys
        if ch == " " and not in_string:
            if current:
                sections.append("".join(current))
                current = []
            i += 1
            continue
        current.append(ch)
        i += 1
    if in_string:
        raise ValueError("unterminated string field")
    if current:
        sections.append("".join(current))
    if len(sections) == 2:
        return sections[0], sections[1], ""
    if len(sections) == 3:
        return sections[0], sections[1], sections[2]
    raise ValueError("expected measurement, fields and an optional timestamp")


def _parse_fields_slow(text: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    i = 0
    n = len(text)
    while i < n:
        key_chars: list[str] = []
        while i < n and text[i] != "=":
            if text[i] == "\\" and i + 1 < n:
                key_chars.append(text[i + 1])
                i += 2
                continue
            key_chars.append(text[i])
            i += 1
        if i >= n or not key_chars:
            raise ValueError(f"bad field in {text!r}")
        i += 1  # '='
        if i < n and text[i] == '"':
            i += 1
            chars: list[str] = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\':
                    chars.append(text[i + 1])
                    i += 2
                    continue
                chars.append(text[i])
                i += 1
            if i >= n:
                raise ValueError("unterminated string field")
            i += 1
            value: Any = "".join(chars)
        else:
            start = i
            while i < n and text[i] != ",":
                i += 1
            raw = text[start:i]
            if not raw:
                raise ValueError(f"missing value for field {''.join(key_chars)!r}")
            value = _field_value(raw)
        fields["".join(key_chars)] = value
        if i < n:
            if text[i] != ",":
                raise ValueError(f"unexpected {text[i]!r} after a field value")
            i += 1
            if i >= n:
                raise ValueError("trailing comma in fields")
    return fields


def _split_unescaped(text: str, sep: str) -> list[str]:
    if "\\" not in text:
        return text.split(sep)
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in ", =\\":
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _escape(text: str, specials: str) -> str:
    for ch in specials:
        text = text.replace(ch, "\\" + ch)
    return text


def format_point(p: Point, precision: str = "ns") -> str:
    """A point as one line of line protocol."""
    key = _escape(p.name, ", ")
    for tag, value in sorted(p.tags.items()):
        key += f",{_escape(tag, ',= ')}={_escape(value, ',= ')}"
    fields = ",".join(f"{_escape(k, ',= ')}={_format_value(v)}" for k, v in sorted(p.fields.items()))
    return f"{key} {fields} {p.time // PRECISIONS[precision]}"


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}i"
    if isinstance(value, float):
        return repr(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
