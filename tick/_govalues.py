"""Go's view of values, for the Go template engine: printing, ``printf``, JSON, escaping.

Kapacitor renders alert ids, messages and details with Go's ``text/template`` and
``html/template``, and writes alert events with ``encoding/json``. What a user sees
therefore follows Go's rules, not Python's: a float field prints as ``85``, not
``85.0``; a million prints as ``1e+06``; a map prints as ``map[host:a]``; a time
prints as ``2020-01-01 00:00:10 +0000 UTC``. This module holds those rules so the
template engine and the alert handlers produce byte-for-byte what Kapacitor does.

Template data is plain Python with a few marker types:

* ``dict`` is a Go map (``map[string]interface{}``; a missing key indexes to nil),
  :class:`StringMap` a ``map[string]string`` (a missing key indexes to ``""``);
* :class:`GoStruct` is a struct: its fields are ordered and a misspelt field is an
  error, as in Go;
* :class:`GoTime` and :class:`GoDuration` carry the methods Go's ``time`` types
  offer to templates (``.Time.Unix``, ``.Duration.Seconds``...).
"""

from __future__ import annotations

import datetime as _dt
import json.encoder
import math
import re
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .durations import format_go_duration

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


class NoValue:
    """What a missing map key or field yields; prints as ``<no value>``."""

    _instance: NoValue | None = None

    def __new__(cls) -> NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = NoValue()


class StringMap(Mapping[str, str]):
    """A Go ``map[string]string`` (tags): indexing a missing key yields ``""``.

    It wraps the dict without copying it, so handing a point's tags to a template
    costs nothing.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None, **kw: str) -> None:
        self._items: Mapping[str, str] = items if items is not None and not kw else {**(items or {}), **kw}

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"StringMap({dict(self._items)!r})"


class GoStruct:
    """A Go struct value: ordered named fields; a missing field is an error."""

    __slots__ = ("fields", "type_name")

    def __init__(self, type_name: str, fields: Mapping[str, Any]) -> None:
        self.type_name = type_name
        self.fields = fields

    def __repr__(self) -> str:
        return f"GoStruct({self.type_name}, {dict(self.fields)!r})"


class GoMethods:
    """Base of Python values that expose Go methods to templates.

    ``go_methods`` names the methods a template may call (``{{ .Time.Unix }}``);
    nothing else of the object is reachable from a template.
    """

    go_methods: frozenset[str] = frozenset()
    go_type: str = ""


# -- time.Duration ----------------------------------------------------------------------


class GoDuration(int, GoMethods):
    """A ``time.Duration``: an int of nanoseconds that prints as ``1m30s``."""

    go_methods = frozenset(
        {"Hours", "Minutes", "Seconds", "Milliseconds", "Microseconds", "Nanoseconds", "String"}
    )
    go_type = "time.Duration"

    def String(self) -> str:
        return format_go_duration(int(self))

    __str__ = String

    def Hours(self) -> float:
        return int(self) / 3.6e12

    def Minutes(self) -> float:
        return int(self) / 6e10

    def Seconds(self) -> float:
        return int(self) / 1e9

    def Milliseconds(self) -> int:
        return _trunc_div(int(self), 1_000_000)

    def Microseconds(self) -> int:
        return _trunc_div(int(self), 1_000)

    def Nanoseconds(self) -> int:
        return int(self)


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // b
    return -q if a < 0 else q


# -- time.Time --------------------------------------------------------------------------

_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class GoMonth(int, GoMethods):
    """A ``time.Month``: prints as ``January``, compares as a number."""

    go_methods = frozenset({"String"})
    go_type = "time.Month"

    def String(self) -> str:
        return _MONTHS[int(self) - 1]

    __str__ = String


class GoWeekday(int, GoMethods):
    """A ``time.Weekday`` (Sunday is 0): prints as ``Monday``."""

    go_methods = frozenset({"String"})
    go_type = "time.Weekday"

    def String(self) -> str:
        return _DAYS[(int(self) - 1) % 7]

    __str__ = String


class GoTime(GoMethods):
    """A ``time.Time`` in UTC, from nanoseconds since the Unix epoch."""

    __slots__ = ("ns",)
    go_methods = frozenset(
        {
            "Unix", "UnixNano", "UnixMilli", "Format", "Year", "Month", "Day", "Hour",
            "Minute", "Second", "Nanosecond", "YearDay", "Weekday", "UTC", "Local",
            "String", "IsZero",
        }
    )  # fmt: skip
    go_type = "time.Time"

    def __init__(self, ns: int) -> None:
        self.ns = ns

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoTime) and other.ns == self.ns

    def __hash__(self) -> int:
        return hash(self.ns)

    def __repr__(self) -> str:
        return f"GoTime({self.ns})"

    def _dt(self) -> _dt.datetime:
        return _EPOCH + _dt.timedelta(seconds=self.ns // 1_000_000_000)

    def String(self) -> str:
        return rfc3339_nano(self.ns).replace("T", " ").replace("Z", " +0000 UTC")

    __str__ = String

    def Format(self, layout: str) -> str:
        return format_time(self.ns, layout)

    def Unix(self) -> int:
        return self.ns // 1_000_000_000

    def UnixNano(self) -> int:
        return self.ns

    def UnixMilli(self) -> int:
        return self.ns // 1_000_000

    def Year(self) -> int:
        return self._dt().year

    def Month(self) -> GoMonth:
        return GoMonth(self._dt().month)

    def Day(self) -> int:
        return self._dt().day

    def Hour(self) -> int:
        return self._dt().hour

    def Minute(self) -> int:
        return self._dt().minute

    def Second(self) -> int:
        return self._dt().second

    def Nanosecond(self) -> int:
        return self.ns % 1_000_000_000

    def YearDay(self) -> int:
        return self._dt().timetuple().tm_yday

    def Weekday(self) -> GoWeekday:
        return GoWeekday((self._dt().weekday() + 1) % 7)

    def UTC(self) -> GoTime:
        return self

    Local = UTC

    def IsZero(self) -> bool:
        return self.ns == _GO_ZERO_TIME_NS


#: Go's zero time (January 1, year 1) in Unix nanoseconds.
_GO_ZERO_TIME_NS = -62135596800 * 1_000_000_000


def rfc3339_nano(ns: int) -> str:
    """Go's ``time.RFC3339Nano`` in UTC (``2020-01-01T00:00:10.5Z``), the JSON form."""
    seconds, frac = divmod(ns, 1_000_000_000)
    stamp = (_EPOCH + _dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        stamp += "." + f"{frac:09d}".rstrip("0")
    return stamp + "Z"


# Go layout elements, longest first where one is a prefix of another.
_LAYOUT = re.compile(
    r"January|Jan|Monday|Mon|MST|2006|002|__2|_2|06|01|02|03|04|05|15|1|2|3|4|5|PM|pm"
    r"|Z07:00:00|Z07:00|Z0700|Z07|-07:00:00|-07:00|-0700|-07"
    r"|[.,](?:0+|9+)(?!\d)"
)


def format_time(ns: int, layout: str) -> str:
    """Go's ``Time.Format`` for a UTC time; ``layout`` uses Go's reference time."""
    seconds, frac = divmod(ns, 1_000_000_000)
    moment = _EPOCH + _dt.timedelta(seconds=seconds)
    out: list[str] = []
    pos = 0
    for m in _LAYOUT.finditer(layout):
        out.append(layout[pos : m.start()])
        out.append(_layout_value(m.group(), moment, frac))
        pos = m.end()
    out.append(layout[pos:])
    return "".join(out)


def _layout_value(token: str, t: _dt.datetime, frac: int) -> str:
    simple: dict[str, Callable[[], str]] = {
        "January": lambda: _MONTHS[t.month - 1],
        "Jan": lambda: _MONTHS[t.month - 1][:3],
        "Monday": lambda: _DAYS[t.weekday()],
        "Mon": lambda: _DAYS[t.weekday()][:3],
        "MST": lambda: "UTC",
        "2006": lambda: f"{t.year:04d}",
        "06": lambda: f"{t.year % 100:02d}",
        "01": lambda: f"{t.month:02d}",
        "1": lambda: str(t.month),
        "02": lambda: f"{t.day:02d}",
        "_2": lambda: f"{t.day:2d}",
        "__2": lambda: f"{t.timetuple().tm_yday:3d}",
        "002": lambda: f"{t.timetuple().tm_yday:03d}",
        "2": lambda: str(t.day),
        "15": lambda: f"{t.hour:02d}",
        "03": lambda: f"{(t.hour % 12) or 12:02d}",
        "3": lambda: str((t.hour % 12) or 12),
        "04": lambda: f"{t.minute:02d}",
        "4": lambda: str(t.minute),
        "05": lambda: f"{t.second:02d}",
        "5": lambda: str(t.second),
        "PM": lambda: "PM" if t.hour >= 12 else "AM",
        "pm": lambda: "pm" if t.hour >= 12 else "am",
    }
    if token in simple:
        return simple[token]()
    if token.startswith("Z"):
        return "Z"
    if token.startswith("-"):
        return {"-07:00:00": "+00:00:00", "-07:00": "+00:00", "-0700": "+0000", "-07": "+00"}[token]
    # fractional seconds: .000 keeps trailing zeros, .999 drops them
    digits = f"{frac:09d}"[: len(token) - 1]
    if token[1] == "9":
        digits = digits.rstrip("0")
        return token[0] + digits if digits else ""
    return token[0] + digits


# -- printing values (fmt's %v) ---------------------------------------------------------


def go_type_name(value: Any) -> str:
    """The Go type name shown in ``%!d(string=x)`` style errors."""
    if value is None or value is NO_VALUE:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, GoMethods):
        return value.go_type
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, StringMap):
        return "map[string]string"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    if isinstance(value, GoStruct):
        return value.type_name
    if isinstance(value, list | tuple):
        return "[]interface {}"
    return type(value).__name__


def format_float_shortest(f: float) -> str:
    """Go's ``%v`` (``strconv.FormatFloat(f, 'g', -1, 64)``): ``85``, ``0.5``, ``1e+06``.

    The digits are the shortest that round-trip (as Python's ``repr``); the
    exponent form is used below 1e-4 and from 1e6 on, as Go does.
    """
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    digits, exp = _shortest_digits(f)
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    if exp < -4 or exp >= 6:
        return sign + _e_form(digits, exp)
    return sign + _f_form(digits, exp)


def _shortest_digits(f: float) -> tuple[str, int]:
    """The shortest round-trip significant digits of ``|f|`` and its decimal exponent
    (``85.0`` -> ``("85", 1)``, ``0.0001`` -> ``("1", -4)``)."""
    if f == 0:
        return "0", 0
    body, _, e = repr(abs(f)).partition("e")
    whole, _, frac = body.partition(".")
    combined = whole + frac
    significant = combined.lstrip("0")
    point = len(whole) - (len(combined) - len(significant)) + (int(e) if e else 0)
    return significant.rstrip("0") or "0", point - 1


def _e_form(digits: str, exp: int) -> str:
    body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{body}e{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _f_form(digits: str, exp: int) -> str:
    if exp < 0:
        return "0." + "0" * (-exp - 1) + digits
    if exp + 1 >= len(digits):
        return digits + "0" * (exp + 1 - len(digits))
    return digits[: exp + 1] + "." + digits[exp + 1 :]


def format_value(value: Any) -> str:
    """What ``fmt.Sprint`` prints for ``value`` (Go's ``%v``)."""
    if value is NO_VALUE:
        return "<no value>"
    return _v(value)


def _v(value: Any) -> str:
    if value is None:
        return "<nil>"
    if value is NO_VALUE:
        return "<no value>"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, GoMethods) and "String" in value.go_methods:
        return value.String()  # type: ignore[attr-defined]
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return format_float_shortest(value)
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{_v(k)}:{_v(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, GoStruct):
        return "{" + " ".join(_v(v) for v in value.fields.values()) + "}"
    if isinstance(value, list | tuple):
        return "[" + " ".join(_v(v) for v in value) + "]"
    return str(value)


def sprint(*args: Any) -> str:
    """``fmt.Sprint``: spaces between operands when neither side is a string."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(format_value(arg))
    return "".join(out)


def sprintln(*args: Any) -> str:
    """``fmt.Sprintln``: always spaces between operands, and a final newline."""
    return " ".join(format_value(a) for a in args) + "\n"


# -- fmt.Sprintf ------------------------------------------------------------------------

_VERB = re.compile(r"%([-+# 0]*)(\*|\d+)?(?:\.(\*|\d*))?(.)?", re.DOTALL)


def sprintf(fmt: str, *args: Any) -> str:
    """Go's ``fmt.Sprintf`` for the verbs templates use: ``%v %s %d %f %e %g %q %t %x``..."""
    out: list[str] = []
    argi = 0
    pos = 0
    while True:
        at = fmt.find("%", pos)
        if at < 0:
            out.append(fmt[pos:])
            break
        out.append(fmt[pos:at])
        m = _VERB.match(fmt, at)
        assert m is not None
        flags, width_s, prec_s, verb = m.groups()
        pos = m.end()
        if verb is None:
            out.append("%!(NOVERB)")
            break
        if verb == "%":
            out.append("%")
            continue
        width: int | None = None
        prec: int | None = None
        if width_s == "*":
            if argi < len(args) and isinstance(args[argi], int):
                width = int(args[argi])
                if width < 0:
                    flags += "-"
                    width = -width
            else:
                out.append("%!(BADWIDTH)")
            argi += 1
        elif width_s:
            width = int(width_s)
        if prec_s == "*":
            if argi < len(args) and isinstance(args[argi], int):
                prec = max(int(args[argi]), 0)
            else:
                out.append("%!(BADPREC)")
            argi += 1
        elif prec_s is not None:
            prec = int(prec_s) if prec_s else 0
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[argi]
        argi += 1
        out.append(_format_one(arg, verb, flags, width, prec))
    if argi < len(args):
        extra = ", ".join(f"{go_type_name(a)}={format_value(a)}" for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _pad(text: str, flags: str, width: int | None, numeric: bool = False) -> str:
    if width is None or len(text) >= width:
        return text
    if "-" in flags:
        return text + " " * (width - len(text))
    if "0" in flags and numeric:
        sign = text[0] if text[:1] in "+- " and text[:1] != "" else ""
        body = text[len(sign) :]
        return sign + "0" * (width - len(text)) + body
    return " " * (width - len(text)) + text


def _bad(verb: str, arg: Any) -> str:
    if arg is None or arg is NO_VALUE:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type_name(arg)}={format_value(arg)})"


def _sign(text: str, negative: bool, flags: str) -> str:
    if negative:
        return "-" + text
    if "+" in flags:
        return "+" + text
    if " " in flags:
        return " " + text
    return text


def _format_one(arg: Any, verb: str, flags: str, width: int | None, prec: int | None) -> str:
    if verb == "v":
        if isinstance(arg, int | float) and not isinstance(arg, bool | GoMethods):
            return _format_number(arg, "d" if isinstance(arg, int) else "g", flags, width, None)
        if "#" in flags and isinstance(arg, str):
            return _pad(go_quote(arg), flags, width)
        return _pad("<nil>" if arg is NO_VALUE else format_value(arg), flags, width)
    if isinstance(arg, GoMethods) and verb in "sq" and "String" in arg.go_methods:
        arg = format_value(arg)
    if isinstance(arg, bool):
        return _pad("true" if arg else "false", flags, width) if verb == "t" else _bad(verb, arg)
    if isinstance(arg, int | float) and not isinstance(arg, GoTime):
        return _format_number(arg, verb, flags, width, prec)
    if isinstance(arg, str):
        if verb == "s":
            return _pad(arg if prec is None else arg[:prec], flags, width)
        if verb == "q":
            return _pad(go_quote(arg, ascii_only="+" in flags), flags, width)
        if verb in "xX":
            sep = " " if " " in flags else ""
            text = sep.join(f"{b:02{verb}}" for b in arg.encode("utf-8"))
            return _pad(text, flags, width)
        return _bad(verb, arg)
    if isinstance(arg, Mapping | GoStruct) and verb == "s":
        return _pad(format_value(arg), flags, width)
    if isinstance(arg, list | tuple) and verb in "sdfgeqx":
        return "[" + " ".join(_format_one(a, verb, flags, None, prec) for a in arg) + "]"
    return _bad(verb, arg)


def _format_number(arg: int | float, verb: str, flags: str, width: int | None, prec: int | None) -> str:
    if isinstance(arg, int):
        n = int(arg)
        neg = n < 0
        m = abs(n)
        if verb in "dv":
            body = str(m)
        elif verb == "b":
            body = format(m, "b")
        elif verb == "o":
            body = ("0" if "#" in flags else "") + format(m, "o")
        elif verb == "O":
            body = "0o" + format(m, "o")
        elif verb == "x":
            body = ("0x" if "#" in flags else "") + format(m, "x")
        elif verb == "X":
            body = ("0X" if "#" in flags else "") + format(m, "X")
        elif verb == "c":
            return _pad(chr(n) if 0 <= n <= 0x10FFFF else "\ufffd", flags, width)
        elif verb == "q":
            return _pad(go_quote_rune(n), flags, width)
        elif verb == "U":
            return _pad(f"U+{n:04X}", flags, width)
        else:
            return _bad(verb, arg)
        if prec is not None:
            body = body.rjust(prec, "0") if not (prec == 0 and m == 0) else ""
        text = _sign(body, neg, flags)
        return _pad(text, flags, width, numeric=prec is None)
    f = float(arg)
    if verb in "vgG":
        body = _format_g(abs(f), prec, verb == "G")
    elif verb in "fF":
        body = _finite(abs(f)) or f"{abs(f):.{6 if prec is None else prec}f}"
    elif verb in "eE":
        body = _finite(abs(f)) or f"{abs(f):.{6 if prec is None else prec}{verb}}"
    elif verb == "x":
        body = abs(f).hex()
    else:
        return _bad(verb, arg)
    neg = math.copysign(1.0, f) < 0 and not math.isnan(f)
    text = _sign(body, neg, flags)
    if math.isinf(f) and not neg and "+" not in flags:
        text = text if text.startswith(("+", " ")) else "+" + text
    return _pad(text, flags, width, numeric=not (math.isinf(f) or math.isnan(f)))


def _finite(f: float) -> str:
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Inf"
    return ""


def _format_g(f: float, prec: int | None, upper: bool) -> str:
    special = _finite(f)
    if special:
        return special
    if prec is None:
        text = format_float_shortest(f)
    else:
        text = f"{f:.{max(prec, 1)}g}"
        if "e" in text:
            mant, _, exp = text.partition("e")
            text = f"{mant}e{exp[0]}{int(exp[1:]):02d}"
    return text.upper() if upper else text


def go_quote(text: str, ascii_only: bool = False) -> str:
    """Go's ``strconv.Quote`` (``%q``)."""
    out = ['"']
    for ch in text:
        out.append(_quote_char(ch, '"', ascii_only))
    out.append('"')
    return "".join(out)


def go_quote_rune(code: int) -> str:
    """Go's ``strconv.QuoteRune`` (``%q`` of an integer)."""
    if not 0 <= code <= 0x10FFFF:
        code = 0xFFFD
    return "'" + _quote_char(chr(code), "'", False) + "'"


_QUOTE_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v"}


def _quote_char(ch: str, quote: str, ascii_only: bool) -> str:
    if ch == quote or ch == "\\":
        return "\\" + ch
    if ch in _QUOTE_ESCAPES:
        return _QUOTE_ESCAPES[ch]
    code = ord(ch)
    if (ascii_only and code >= 0x80) or not ch.isprintable():
        if (code < 0x80 and code < 0x20) or code == 0x7F:
            return f"\\x{code:02x}"
        if code <= 0xFFFF:
            return f"\\u{code:04x}"
        return f"\\U{code:08x}"
    return ch


# -- escaping functions of text/template -------------------------------------------------

_HTML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;", "\0": "\ufffd"}
_HTML_SPECIAL = re.compile("[<>&'\"\0]")
_HTML_TEMPLATE_SPECIAL = re.compile("[<>&'\"\0+]")


def html_escape(text: str) -> str:
    """``template.HTMLEscapeString`` (the ``html`` function)."""
    if _HTML_SPECIAL.search(text) is None:
        return text
    return _replace_html(text)


def html_template_escape(text: str) -> str:
    """What ``html/template`` does to an action's output in HTML text (``+`` too)."""
    if _HTML_TEMPLATE_SPECIAL.search(text) is None:
        return text
    return _replace_html(text).replace("+", "&#43;")


def _replace_html(text: str) -> str:
    """The escapes of :data:`_HTML_ESCAPES`, ``&`` first so none is escaped twice
    (JSON details are full of quotes: one C-level pass per character beats a
    callback per match)."""
    for ch, escaped in _HTML_ESCAPES.items():
        if ch in text:
            text = text.replace(ch, escaped)
    return text


def js_escape(text: str) -> str:
    """``template.JSEscapeString`` (the ``js`` function)."""
    out = []
    for ch in text:
        if ch in "\\'\"":
            out.append("\\" + ch)
        elif ch in "<>&=" or ord(ch) < 0x20 or not ch.isprintable():
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def url_query_escape(text: str) -> str:
    """``url.QueryEscape`` (the ``urlquery`` function)."""
    return urllib.parse.quote_plus(text, safe="-_.~")


# -- encoding/json ----------------------------------------------------------------------


class GoJSONError(ValueError):
    """A value Go's JSON encoder refuses (NaN, infinity)."""


def go_json(value: Any) -> str:
    """``encoding/json`` output for ``value``, as ``json.Marshal`` writes it.

    Structs keep their field order, maps are sorted by key, floats use Go's format
    (``85`` not ``85.0``), and ``<``, ``>``, ``&`` are escaped as Go does.
    """
    out: list[str] = []
    _json(value, out)
    return "".join(out)


def _json(value: Any, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(json_string(value))
    elif kind is float:
        out.append(json_float(value))
    elif kind is int:
        out.append(str(value))
    elif kind is bool:
        out.append("true" if value else "false")
    elif kind is dict:
        _json_object(sorted(value.items()), out)
    elif kind is list:
        _json_array(value, out)
    elif value is None or value is NO_VALUE:
        out.append("null")
    elif kind is GoStruct:
        _json_object(value.fields.items(), out)
    elif kind is GoTime:
        out.append('"' + rfc3339_nano(value.ns) + '"')
    elif isinstance(value, str):
        out.append(json_string(str(value)))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, Mapping):
        _json_object(sorted(value.items()), out)
    elif isinstance(value, tuple):
        _json_array(value, out)
    else:
        out.append(json_string(str(value)))


def _json_array(items: Any, out: list[str]) -> None:
    out.append("[")
    for i, item in enumerate(items):
        if i:
            out.append(",")
        _json(item, out)
    out.append("]")


def _json_object(items: Any, out: list[str]) -> None:
    out.append("{")
    first = True
    for key, item in items:
        if not first:
            out.append(",")
        first = False
        out.append(json_string(key if type(key) is str else str(key)))
        out.append(":")
        _json(item, out)
    out.append("}")


def json_float(f: float) -> str:
    """A float as Go's JSON encoder writes it: ``85``, ``0.5``, ``1e+21``, ``1e-7``."""
    if math.isnan(f) or math.isinf(f):
        raise GoJSONError(f"json: unsupported value: {format_float_shortest(f)}")
    a = abs(f)
    digits, exp = _shortest_digits(f)
    sign = "-" if f < 0 else ""
    if a != 0 and (a < 1e-6 or a >= 1e21):
        text = _e_form(digits, exp)
        mant, _, e = text.partition("e")
        text = f"{mant}e{e[0]}{int(e[1:])}" if e[0] == "-" else text
        return sign + text
    return sign + _f_form(digits, exp)


_encode_basestring = json.encoder.encode_basestring
_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_JSON_SPECIAL = re.compile('[\x00-\x1f"\\\\<>&\u2028\u2029]')
#: What Python's encoder writes as Go does not: \b and \f (Go: \u0008, \u000c)...
_PYTHON_SHORT = re.compile("[\b\f]")
#: ...and what it leaves as it is where Go escapes it (HTML-safe JSON).
_GO_ESCAPED = {"&": "\\u0026", "<": "\\u003c", ">": "\\u003e", "\u2028": "\\u2028", "\u2029": "\\u2029"}
#: Either kind: a text with none of these is written by Python exactly as by Go.
_GO_DIFFERS = re.compile("[\b\f&<>\u2028\u2029]")


def _json_escape(m: re.Match[str]) -> str:
    ch = m.group()
    return _JSON_ESCAPES.get(ch) or f"\\u{ord(ch):04x}"


def json_string(text: str) -> str:
    """A JSON string as Go writes it, HTML-safe (``<`` as ``\\u003c``).

    Python's C encoder does the work; the characters Go escapes and Python does
    not are replaced after it (one C-level pass each, as they are left raw), and
    the rare ``\\b`` and ``\\f``, which Python writes short, take the exact path."""
    if _GO_DIFFERS.search(text) is None:
        return _encode_basestring(text)
    if _PYTHON_SHORT.search(text) is not None:
        return '"' + _JSON_SPECIAL.sub(_json_escape, text) + '"'
    encoded = _encode_basestring(text)
    for ch, escaped in _GO_ESCAPED.items():
        if ch in encoded:
            encoded = encoded.replace(ch, escaped)
    return encoded
