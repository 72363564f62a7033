"""Go's ``text/template`` language, for alert ids, messages, details and handler bodies.

Kapacitor users write ``.message('{{ .ID }} is {{ .Level }}: {{ index .Fields "value" |
printf "%.2f" }}')``; those templates must move over unchanged and print the same
text. This module parses a template once, when a task is defined, into a tree of
Python closures, so rendering an event is a handful of function calls. Anything the
parser does not understand is a :class:`TemplateParseError` then, never a surprise at
alert time.

Supported: text and ``{{- trim -}}`` markers, comments, fields and chained fields on
maps, structs and Go-like values (``.Time.Unix``), variables (``$x := ...``,
``$x = ...``, ``$``), pipelines, parenthesised pipelines, string/raw/char/number/bool/
nil literals, ``if``/``else if``/``else``, ``range`` (with ``$i, $e :=``, ``else``,
``break``, ``continue``), ``with``/``else with``, ``define``/``template``/``block``,
and the built-in functions ``and or not len index slice print printf println html js
urlquery eq ne lt le gt ge``, plus ``json`` as Kapacitor adds it. With ``html=True``
every action's output is HTML-escaped as ``html/template`` does in HTML text
(Kapacitor's ``.details``); contextual escaping inside attributes or scripts is not
modelled.

Example::

    tmpl = Template.parse('{{ .Name }} is {{ if gt .Value 80.0 }}hot{{ else }}ok{{ end }}')
    tmpl.render({"Name": "cpu", "Value": 85.0})   # 'cpu is hot'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leyden.kernel import PointError, TickError

from ._govalues import (
    NO_VALUE,
    GoDuration,
    GoJSONError,
    GoMethods,
    GoMonth,
    GoStruct,
    GoTime,
    GoWeekday,
    NoValue,
    StringMap,
    format_duration,
    format_float_shortest,
    format_value,
    go_json,
    go_type_name,
    html_escape,
    html_template_escape,
    js_escape,
    sprint,
    sprintf,
    sprintln,
    url_query_escape,
)

__all__ = [
    "NO_VALUE",
    "GoDuration",
    "GoMonth",
    "GoStruct",
    "GoTime",
    "GoWeekday",
    "NoValue",
    "StringMap",
    "Template",
    "TemplateExecError",
    "TemplateParseError",
    "format_duration",
    "format_float_shortest",
    "format_value",
    "go_json",
    "sprintf",
]

#: Deepest nesting of ``{{template}}`` calls before rendering gives up.
MAX_DEPTH = 100


class TemplateParseError(TickError):
    """A template is malformed or uses something unsupported; raised when it is parsed."""


class TemplateExecError(PointError):
    """Rendering failed for this data (a missing struct field, a bad comparison)."""


# == lexing ==============================================================================

_TRIM_SPACE = " \t\r\n"
_NUMBER = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F_]+(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?\d+)?"
    r"|0[bB][01_]+|0[oO][0-7_]+"
    r"|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)"
)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = {
    "if", "else", "end", "range", "with", "define", "template", "block",
    "break", "continue", "nil", "true", "false",
}  # fmt: skip


@dataclass
class _Tok:
    kind: str  # ident keyword field var dot string number char bool nil ( ) | := = ,
    text: str
    line: int
    spaced: bool  # whitespace precedes it inside the action
    value: Any = None


@dataclass
class _Item:
    """A piece of the template: literal text, or an action's tokens."""

    text: str | None
    tokens: list[_Tok] = field(default_factory=list)
    line: int = 1


def _lex(src: str, name: str) -> list[_Item]:
    items: list[_Item] = []
    pos = 0
    line = 1
    trim_next = False
    while True:
        start = src.find("{{", pos)
        text = src[pos:] if start < 0 else src[pos:start]
        if trim_next:
            text = text.lstrip(_TRIM_SPACE)
        trim_left = start >= 0 and src[start + 2 : start + 3] == "-" and src[start + 3 : start + 4] != ""
        trim_left = trim_left and src[start + 3] in _TRIM_SPACE
        if trim_left:
            text = text.rstrip(_TRIM_SPACE)
        if text:
            items.append(_Item(text, line=line))
        if start < 0:
            return items
        line += src.count("\n", pos, start)
        pos = start + (3 if trim_left else 2)
        action_line = line
        comment = pos + (1 if trim_left else 0)
        if src.startswith("/*", comment):
            # a comment is the whole action: {{/* ... */}} or {{- /* ... */ -}}
            end = src.find("*/", comment + 2)
            if end < 0:
                raise _error(name, line, "unclosed comment")
            line += src.count("\n", pos, end)
            after = end + 2
            if src.startswith(" -}}", after):
                pos, trim_next = after + 4, True
            elif src.startswith("}}", after):
                pos, trim_next = after + 2, False
            else:
                raise _error(name, line, "comment ends before closing delimiter")
            continue
        tokens, pos, trim_next, line = _lex_action(src, pos, line, name)
        items.append(_Item(None, tokens, action_line))


def _lex_action(src: str, pos: int, line: int, name: str) -> tuple[list[_Tok], int, bool, int]:
    tokens: list[_Tok] = []
    spaced = True
    n = len(src)
    while True:
        if pos >= n:
            raise _error(name, line, "unclosed action")
        ch = src[pos]
        if ch in _TRIM_SPACE:
            line += ch == "\n"
            if src.startswith("-}}", pos + 1):
                return tokens, pos + 4, True, line
            pos += 1
            spaced = True
            continue
        if src.startswith("}}", pos):
            return tokens, pos + 2, False, line
        tok_line = line
        if ch == "(" or ch == ")" or ch == "|" or ch == ",":
            tokens.append(_Tok(ch, ch, tok_line, spaced))
            pos += 1
        elif src.startswith(":=", pos):
            tokens.append(_Tok(":=", ":=", tok_line, spaced))
            pos += 2
        elif ch == "=":
            tokens.append(_Tok("=", "=", tok_line, spaced))
            pos += 1
        elif ch == '"':
            end = pos + 1
            while end < n and src[end] != '"':
                if src[end] == "\n":
                    raise _error(name, line, "unterminated quoted string")
                end += 2 if src[end] == "\\" else 1
            if end >= n:
                raise _error(name, line, "unterminated quoted string")
            text = src[pos : end + 1]
            tokens.append(_Tok("string", text, tok_line, spaced, _unquote(text[1:-1], name, line)))
            pos = end + 1
        elif ch == "`":
            end = src.find("`", pos + 1)
            if end < 0:
                raise _error(name, line, "unterminated raw quoted string")
            tokens.append(_Tok("string", src[pos : end + 1], tok_line, spaced, src[pos + 1 : end]))
            line += src.count("\n", pos, end)
            pos = end + 1
        elif ch == "'":
            end = pos + 1
            while end < n and src[end] != "'":
                end += 2 if src[end] == "\\" else 1
            body = _unquote(src[pos + 1 : end], name, line)
            if end >= n or len(body) != 1:
                raise _error(name, line, f"malformed character constant: {src[pos : end + 1]}")
            tokens.append(_Tok("char", src[pos : end + 1], tok_line, spaced, ord(body)))
            pos = end + 1
        elif ch == "$":
            m = _IDENT.match(src, pos + 1)
            text = "$" + (m.group() if m else "")
            tokens.append(_Tok("var", text, tok_line, spaced))
            pos += len(text)
        elif ch == "." and not (pos + 1 < n and src[pos + 1].isdigit()):
            m = _IDENT.match(src, pos + 1)
            if m:
                tokens.append(_Tok("field", m.group(), tok_line, spaced))
                pos = m.end()
            else:
                tokens.append(_Tok("dot", ".", tok_line, spaced))
                pos += 1
        elif ch in "+-." or ch.isdigit():
            m = _NUMBER.match(src, pos)
            if not m or (m.end() < n and (src[m.end()].isalnum() or src[m.end()] == ".")):
                raise _error(name, line, f"bad number syntax: {src[pos : pos + 10]!r}")
            tokens.append(_Tok("number", m.group(), tok_line, spaced, _number(m.group(), name, line)))
            pos = m.end()
        else:
            m = _IDENT.match(src, pos)
            if not m:
                raise _error(name, line, f"unexpected {ch!r} in command")
            word = m.group()
            if word in ("true", "false"):
                tokens.append(_Tok("bool", word, tok_line, spaced, word == "true"))
            elif word == "nil":
                tokens.append(_Tok("nil", word, tok_line, spaced))
            else:
                tokens.append(_Tok("keyword" if word in _KEYWORDS else "ident", word, tok_line, spaced))
            pos = m.end()
        spaced = False


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unquote(body: str, name: str, line: int) -> str:
    """Go's string escapes: ``\\n``, ``\\x41``, ``\\u00e9``, ``\\101``, ``\\"``..."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1 : i + 2]
        if esc in _ESCAPES:
            out.append(_ESCAPES[esc])
            i += 2
        elif esc in ("\\", '"', "'"):
            out.append(esc)
            i += 2
        elif esc in ("x", "u", "U"):
            size = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i + 2 : i + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise _error(name, line, f"invalid escape \\{esc}{digits}")
            code = int(digits, 16)
            if esc == "x":
                out.append(bytes([code]).decode("latin-1"))
            else:
                out.append(chr(code))
            i += 2 + size
        elif esc.isdigit():
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits):
                raise _error(name, line, f"invalid escape \\{digits}")
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise _error(name, line, f"unknown escape sequence: \\{esc}")
    return "".join(out)


def _number(text: str, name: str, line: int) -> int | float:
    """A Go ideal constant: integer syntax gives an int, anything else a float."""
    clean = text.replace("_", "")
    try:
        lower = clean.lower().lstrip("+-")
        if lower.startswith("0x") and ("." in lower or "p" in lower):
            return float.fromhex(clean)
        if not lower.startswith(("0x", "0b", "0o")) and ("." in lower or "e" in lower):
            return float(clean)
        if lower.startswith(("0x", "0b", "0o")):
            return int(clean, 0)
        if len(lower) > 1 and lower.startswith("0"):
            return int(clean, 8)
        return int(clean)
    except ValueError:
        raise _error(name, line, f"illegal number syntax: {text!r}") from None


def _error(name: str, line: int, message: str) -> TemplateParseError:
    return TemplateParseError(f"template: {name}:{line}: {message}")


# == evaluation state ====================================================================


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _State:
    __slots__ = ("depth", "escape", "out", "templates", "vars")

    def __init__(self, root: Any, templates: dict[str, _Body], escape: bool) -> None:
        self.vars: list[list[Any]] = [["$", root]]
        self.out: list[str] = []
        self.templates = templates
        self.escape = escape
        self.depth = 0

    def lookup(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        raise TemplateExecError(f"undefined variable: {name}")

    def assign(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        raise TemplateExecError(f"undefined variable: {name}")


Eval = Callable[[_State, Any], Any]
Run = Callable[[_State, Any], None]
_MISSING = object()


@dataclass
class _Body:
    run: Run


def _run_all(runs: list[Run]) -> Run:
    if len(runs) == 1:
        return runs[0]

    def run(st: _State, dot: Any) -> None:
        for r in runs:
            r(st, dot)

    return run


# == values ==============================================================================


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


def _field(receiver: Any, name: str, args: list[Any] | None) -> Any:
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


# == parsing =============================================================================


@dataclass
class _Refs:
    """Which top-level fields a template reads; ``all`` when it reads ``.`` itself."""

    fields: set[str] = field(default_factory=set)
    all: bool = False


class _Parser:
    def __init__(self, items: list[_Item], name: str, funcs: Mapping[str, Callable[..., Any]]) -> None:
        self.items = items
        self.i = 0
        self.name = name
        self.funcs = funcs
        self.scopes: list[list[str]] = [["$"]]
        self.templates: dict[str, _Body] = {}
        self.defined: set[str] = set()
        self.called: list[tuple[str, int]] = []
        self.range_depth = 0
        self.refs = _Refs()
        self.root_dot = True  # whether "." is the root data where we are

    def error(self, line: int, message: str) -> TemplateParseError:
        return _error(self.name, line, message)

    # -- structure ----------------------------------------------------------------------

    def parse(self) -> Run:
        run, stop = self.parse_list(top=True)
        if stop is not None:
            raise self.error(stop.line, f"unexpected {{{{{stop.tokens[0].text}}}}}")
        for target, line in self.called:
            if target not in self.templates:
                raise self.error(line, f'no such template "{target}"')
        return run

    def parse_list(self, top: bool = False) -> tuple[Run, _Item | None]:
        """Parse until ``{{end}}``/``{{else}}`` (returned) or the end of the input."""
        runs: list[Run] = []
        while self.i < len(self.items):
            item = self.items[self.i]
            self.i += 1
            if item.text is not None:
                text = item.text
                runs.append(lambda st, dot, text=text: st.out.append(text))
                continue
            tokens = item.tokens
            if not tokens:
                raise self.error(item.line, "missing value for command")
            head = tokens[0]
            if head.kind == "keyword":
                word = head.text
                if word in ("end", "else"):
                    if top:
                        raise self.error(item.line, f"unexpected {{{{{word}}}}}")
                    return _run_all(runs) if runs else _noop, item
                if word == "define":
                    if not top:
                        raise self.error(item.line, "define must be at the top level")
                    self.parse_define(item)
                    continue
                runs.append(self.parse_keyword(item))
                continue
            runs.append(self.parse_action(item))
        if not top:
            raise self.error(self.items[-1].line if self.items else 1, "unexpected EOF")
        return (_run_all(runs) if runs else _noop), None

    def parse_keyword(self, item: _Item) -> Run:
        word = item.tokens[0].text
        if word in ("if", "with"):
            return self.parse_branch(item, word)
        if word == "range":
            return self.parse_range(item)
        if word in ("break", "continue"):
            if self.range_depth == 0:
                raise self.error(item.line, f"{{{{{word}}}}} outside {{{{range}}}}")
            if len(item.tokens) > 1:
                raise self.error(item.line, f"unexpected {item.tokens[1].text} in {{{{{word}}}}}")
            exc = _Break if word == "break" else _Continue

            def jump(st: _State, dot: Any) -> None:
                raise exc

            return jump
        if word == "template":
            return self.parse_template_call(item)
        if word == "block":
            return self.parse_block(item)
        raise self.error(item.line, f"unexpected keyword {word}")

    def parse_branch(self, item: _Item, word: str) -> Run:
        """``if`` and ``with``, with their ``else if``/``else with``/``else`` chains."""
        if not item.tokens[1:]:
            raise self.error(item.line, f"missing value for {word}")
        self.scopes.append([])
        outer_root = self.root_dot
        pipe, _ = self.parse_pipeline(item.tokens[1:], item.line, decl_ok=True)
        if word == "with":
            self.root_dot = False
        then_run, stop = self.parse_list()
        self.root_dot = outer_root
        else_run: Run | None = None
        assert stop is not None
        if stop.tokens[0].text == "else":
            rest = stop.tokens[1:]
            if rest and rest[0].kind == "keyword" and rest[0].text in ("if", "with"):
                # "else if ..." / "else with ...": a nested branch that shares our {{end}}
                else_run = self.parse_branch(_Item(None, rest, stop.line), rest[0].text)
            else:
                if rest:
                    raise self.error(stop.line, f"unexpected {rest[0].text} in else")
                else_run, stop = self.parse_list()
                assert stop is not None
                if stop.tokens[0].text != "end" or len(stop.tokens) > 1:
                    raise self.error(stop.line, "expected end; found else")
        elif len(stop.tokens) > 1:
            raise self.error(stop.line, f"unexpected {stop.tokens[1].text} in end")
        self.scopes.pop()
        if word == "if":

            def run_if(st: _State, dot: Any) -> None:
                mark = len(st.vars)
                try:
                    if truth(pipe(st, dot)):
                        then_run(st, dot)
                    elif else_run is not None:
                        else_run(st, dot)
                finally:
                    del st.vars[mark:]

            return run_if

        def run_with(st: _State, dot: Any) -> None:
            mark = len(st.vars)
            try:
                value = pipe(st, dot)
                if truth(value):
                    then_run(st, value)
                elif else_run is not None:
                    else_run(st, dot)
            finally:
                del st.vars[mark:]

        return run_with

    def parse_range(self, item: _Item) -> Run:
        self.scopes.append([])
        tokens = item.tokens[1:]
        if not tokens:
            raise self.error(item.line, "missing value for range")
        names: list[str] = []
        if len(tokens) >= 2 and tokens[0].kind == "var":
            if (
                tokens[1].kind == ","
                and len(tokens) >= 4
                and tokens[2].kind == "var"
                and tokens[3].kind
                in (
                    ":=",
                    "=",
                )
            ):
                names = [tokens[0].text, tokens[2].text]
                assign = tokens[3].kind == "="
                tokens = tokens[4:]
            elif tokens[1].kind in (":=", "="):
                names = [tokens[0].text]
                assign = tokens[1].kind == "="
                tokens = tokens[2:]
            if names:
                for n in names:
                    if assign:
                        self.check_var(n, item.line)
                    else:
                        self.scopes[-1].append(n)
        pipe, _ = self.parse_pipeline(tokens, item.line, decl_ok=False)
        outer_root = self.root_dot
        self.root_dot = False
        self.range_depth += 1
        body, stop = self.parse_list()
        self.range_depth -= 1
        self.root_dot = outer_root
        else_run: Run | None = None
        assert stop is not None
        if stop.tokens[0].text == "else":
            if len(stop.tokens) > 1:
                raise self.error(stop.line, f"unexpected {stop.tokens[1].text} in else")
            else_run, stop = self.parse_list()
            assert stop is not None
            if stop.tokens[0].text != "end":
                raise self.error(stop.line, "expected end; found else")
        self.scopes.pop()

        def run_range(st: _State, dot: Any) -> None:
            mark = len(st.vars)
            try:
                value = pipe(st, dot)
                pairs = _iterate(value)
                if not pairs:
                    if else_run is not None:
                        else_run(st, dot)
                    return
                for key, elem in pairs:
                    if len(names) == 1:
                        st.vars.append([names[0], elem])
                    elif len(names) == 2:
                        st.vars.append([names[0], key])
                        st.vars.append([names[1], elem])
                    try:
                        body(st, elem)
                    except _Continue:
                        pass
                    except _Break:
                        break
                    finally:
                        del st.vars[mark:]
            finally:
                del st.vars[mark:]

        return run_range

    def parse_define(self, item: _Item) -> None:
        tokens = item.tokens
        if len(tokens) != 2 or tokens[1].kind != "string":
            raise self.error(item.line, "define needs a template name in quotes")
        target = tokens[1].value
        if target in self.defined:
            raise self.error(item.line, f'template: multiple definition of template "{target}"')
        self.defined.add(target)
        saved_scopes, saved_root = self.scopes, self.root_dot
        self.scopes, self.root_dot = [["$"]], False
        body, stop = self.parse_list()
        self.scopes, self.root_dot = saved_scopes, saved_root
        assert stop is not None
        if stop.tokens[0].text != "end":
            raise self.error(stop.line, "unexpected else in define")
        self.templates[target] = _Body(body)

    def parse_template_call(self, item: _Item) -> Run:
        tokens = item.tokens
        if len(tokens) < 2 or tokens[1].kind != "string":
            raise self.error(item.line, "template needs a template name in quotes")
        target = tokens[1].value
        self.called.append((target, item.line))
        pipe: Eval | None = None
        if len(tokens) > 2:
            pipe, _ = self.parse_pipeline(tokens[2:], item.line, decl_ok=False)
        templates = self.templates
        self.refs.all = True

        def run_template(st: _State, dot: Any) -> None:
            value = pipe(st, dot) if pipe is not None else None
            if st.depth >= MAX_DEPTH:
                raise TemplateExecError(f"exceeded maximum template depth ({MAX_DEPTH})")
            saved = st.vars
            st.vars = [["$", value]]
            st.depth += 1
            try:
                templates[target].run(st, value)
            finally:
                st.depth -= 1
                st.vars = saved

        return run_template

    def parse_block(self, item: _Item) -> Run:
        tokens = item.tokens
        if len(tokens) < 2 or tokens[1].kind != "string":
            raise self.error(item.line, "block needs a template name in quotes")
        target = tokens[1].value
        call = self.parse_template_call(item)
        saved_scopes, saved_root = self.scopes, self.root_dot
        self.scopes, self.root_dot = [["$"]], False
        body, stop = self.parse_list()
        self.scopes, self.root_dot = saved_scopes, saved_root
        assert stop is not None
        if stop.tokens[0].text != "end":
            raise self.error(stop.line, "unexpected else in block")
        if target not in self.defined:
            self.defined.add(target)
            self.templates[target] = _Body(body)
        return call

    # -- actions and pipelines ------------------------------------------------------------

    def parse_action(self, item: _Item) -> Run:
        pipe, declares = self.parse_pipeline(item.tokens, item.line, decl_ok=True)
        if declares:
            return lambda st, dot: (pipe(st, dot), None)[1]
        ends_in_html = item.tokens[-1].kind == "ident" and item.tokens[-1].text == "html"

        def run_action(st: _State, dot: Any) -> None:
            text = format_value(pipe(st, dot))
            if st.escape and not ends_in_html:
                text = html_template_escape(text)
            st.out.append(text)

        return run_action

    def parse_pipeline(self, tokens: list[_Tok], line: int, decl_ok: bool) -> tuple[Eval, bool]:
        """A pipeline, optionally starting with ``$x :=`` or ``$x =``; returns its
        evaluator and whether it declares or assigns (and so prints nothing)."""
        decl: tuple[str, bool] | None = None
        if len(tokens) >= 2 and tokens[0].kind == "var" and tokens[1].kind in (":=", "="):
            if not decl_ok:
                raise self.error(line, "variable declaration not allowed here")
            decl = (tokens[0].text, tokens[1].kind == "=")
            tokens = tokens[2:]
        if not tokens:
            raise self.error(line, "missing value for command")
        cmds = [self.parse_command(part, line) for part in _split(tokens, "|", self, line)]
        if decl is not None:
            name, assign = decl
            if assign:
                self.check_var(name, line)
            else:
                self.scopes[-1].append(name)

        def run_pipeline(st: _State, dot: Any) -> Any:
            value: Any = _MISSING
            for cmd in cmds:
                value = cmd(st, dot, value)
            return value

        evaluate: Eval = run_pipeline if len(cmds) > 1 else (lambda st, dot, c=cmds[0]: c(st, dot, _MISSING))
        if decl is None:
            return evaluate, False
        name, assign = decl

        def run_decl(st: _State, dot: Any) -> Any:
            value = evaluate(st, dot)
            if assign:
                st.assign(name, value)
            else:
                st.vars.append([name, value])
            return value

        return run_decl, True

    def check_var(self, name: str, line: int) -> None:
        if not any(name in scope for scope in self.scopes):
            raise self.error(line, f'undefined variable "{name}"')

    def parse_command(self, tokens: list[_Tok], line: int) -> Callable[[_State, Any, Any], Any]:
        if not tokens:
            raise self.error(line, "missing value for command")
        operands = self.parse_operands(tokens, line)
        head_kind, head = operands[0]
        args = [evaluator for _, evaluator in operands[1:]]
        if head_kind == "func":
            fname = tokens[0].text
            fn = self.funcs[fname]
            if fname in ("and", "or"):
                want = fname == "or"

                def run_logic(st: _State, dot: Any, final: Any) -> Any:
                    values = [*args, (lambda s, d: final)] if final is not _MISSING else args
                    if not values:
                        raise TemplateExecError(f"wrong number of args for {fname}: want at least 1 got 0")
                    value: Any = None
                    for arg in values:
                        value = arg(st, dot)
                        if truth(value) == want:
                            return value
                    return value

                return run_logic

            def run_func(st: _State, dot: Any, final: Any) -> Any:
                values = [a(st, dot) for a in args]
                if final is not _MISSING:
                    values.append(final)
                try:
                    return fn(*values)
                except TypeError as err:
                    raise TemplateExecError(f"error calling {fname}: {err}") from None

            return run_func
        if head_kind == "chain":
            chain_eval, fields = head

            def run_method(st: _State, dot: Any, final: Any) -> Any:
                values = [a(st, dot) for a in args]
                if final is not _MISSING:
                    values.append(final)
                receiver = chain_eval(st, dot)
                for name in fields[:-1]:
                    receiver = _field(receiver, name, None)
                return _field(receiver, fields[-1], values)

            return run_method
        if head_kind == "nil":
            raise self.error(line, "nil is not a command")
        if args:
            raise self.error(line, f"can't give argument to non-function {tokens[0].text}")
        value_eval = head

        def run_value(st: _State, dot: Any, final: Any) -> Any:
            if final is not _MISSING:
                raise TemplateExecError(f"can't give argument to non-function {tokens[0].text}")
            return value_eval(st, dot)

        return run_value

    def parse_operands(self, tokens: list[_Tok], line: int) -> list[tuple[str, Any]]:
        """Split a command into operands: ``("func", None)``, ``("chain", (eval, fields))``
        for a field chain that may take arguments, ``("nil", None)`` or ``("value", eval)``."""
        operands: list[tuple[str, Any]] = []
        i = 0
        first = True
        while i < len(tokens):
            tok = tokens[i]
            if not first and not tok.spaced and tok.kind != "(":
                raise self.error(line, f"missing space before {tok.text}")
            i, operand = self.parse_operand(tokens, i, line, first)
            operands.append(operand)
            first = False
        return operands

    def parse_operand(
        self, tokens: list[_Tok], i: int, line: int, first: bool
    ) -> tuple[int, tuple[str, Any]]:
        tok = tokens[i]
        base: Eval
        if tok.kind == "ident":
            if tok.text not in self.funcs:
                raise self.error(line, f'function "{tok.text}" not defined')
            if first:
                return i + 1, ("func", None)
            fn = self.funcs[tok.text]
            if fn is None:
                raise self.error(line, f"{tok.text} needs arguments")
            return i + 1, ("value", lambda st, dot, fn=fn: fn())
        if tok.kind == "keyword":
            raise self.error(line, f"unexpected <{tok.text}> in command")
        if tok.kind == "nil":
            if first:
                return i + 1, ("nil", None)
            return i + 1, ("value", lambda st, dot: None)
        if tok.kind in ("string", "number", "bool", "char"):
            value = tok.value
            base = lambda st, dot, v=value: v  # noqa: E731
            i += 1
        elif tok.kind == "dot":
            if self.root_dot:
                self.refs.all = True
            base = lambda st, dot: dot  # noqa: E731
            i += 1
        elif tok.kind == "field":
            fields = []
            while i < len(tokens) and tokens[i].kind == "field" and (not fields or not tokens[i].spaced):
                fields.append(tokens[i].text)
                i += 1
            if self.root_dot:
                self.refs.fields.add(fields[0])
            return i, self.chain(lambda st, dot: dot, fields, first)
        elif tok.kind == "var":
            self.check_var(tok.text, line)
            name = tok.text
            base = lambda st, dot, name=name: st.lookup(name)  # noqa: E731
            i += 1
            if name == "$":
                if i < len(tokens) and tokens[i].kind == "field" and not tokens[i].spaced:
                    self.refs.fields.add(tokens[i].text)
                else:
                    self.refs.all = True
        elif tok.kind == "(":
            depth = 0
            j = i
            while j < len(tokens):
                if tokens[j].kind == "(":
                    depth += 1
                elif tokens[j].kind == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= len(tokens):
                raise self.error(line, "unclosed left paren")
            base, _ = self.parse_pipeline(tokens[i + 1 : j], line, decl_ok=False)
            i = j + 1
        else:
            raise self.error(line, f"unexpected {tok.text!r} in operand")
        fields = []
        while i < len(tokens) and tokens[i].kind == "field" and not tokens[i].spaced:
            fields.append(tokens[i].text)
            i += 1
        if fields:
            if tok.kind in ("string", "number", "bool", "char"):
                raise self.error(line, f"unexpected . after term {tok.text!r}")
            return i, self.chain(base, fields, first)
        return i, ("value", base)

    def chain(self, base: Eval, fields: list[str], first: bool) -> tuple[str, Any]:
        if first:
            return ("chain", (base, fields))

        def run_chain(st: _State, dot: Any) -> Any:
            value = base(st, dot)
            for name in fields:
                value = _field(value, name, None)
            return value

        return ("value", run_chain)


def _noop(st: _State, dot: Any) -> None:
    return None


def _split(tokens: list[_Tok], sep: str, parser: _Parser, line: int) -> list[list[_Tok]]:
    """Split tokens on ``sep`` at parenthesis depth 0."""
    parts: list[list[_Tok]] = [[]]
    depth = 0
    for tok in tokens:
        if tok.kind == "(":
            depth += 1
        elif tok.kind == ")":
            depth -= 1
            if depth < 0:
                raise parser.error(line, "unexpected right paren")
        if tok.kind == sep and depth == 0:
            parts.append([])
            continue
        parts[-1].append(tok)
    if any(not p for p in parts):
        raise parser.error(line, "missing command in pipeline")
    return parts


def _iterate(value: Any) -> list[tuple[Any, Any]]:
    """What ``range`` walks: slices by index, maps by sorted key, ints as 0..n-1."""
    if value is None or value is NO_VALUE:
        return []
    if isinstance(value, list | tuple):
        return list(enumerate(value))
    if isinstance(value, Mapping):
        return [(k, value[k]) for k in sorted(value)]
    if isinstance(value, int) and not isinstance(value, bool):
        return [(i, i) for i in range(int(value))]
    raise TemplateExecError(f"range can't iterate over {format_value(value)}")


# == the public face =====================================================================


class Template:
    """A parsed Go template; :meth:`render` it as often as you like."""

    __slots__ = ("_refs", "_run", "_templates", "html", "name", "text")

    def __init__(
        self, text: str, name: str, html: bool, run: Run, templates: dict[str, _Body], refs: _Refs
    ) -> None:
        self.text = text
        self.name = name
        self.html = html
        self._run = run
        self._templates = templates
        self._refs = refs

    @classmethod
    def parse(
        cls,
        text: str,
        name: str = "template",
        *,
        html: bool = False,
        funcs: Mapping[str, Callable[..., Any]] | None = None,
    ) -> Template:
        """Parse ``text``; raises :class:`TemplateParseError` for anything malformed or
        unsupported. ``funcs`` adds functions to the built-in ones."""
        all_funcs = {**BUILTINS, "and": None, "or": None, **(funcs or {})}
        parser = _Parser(_lex(text, name), name, all_funcs)  # type: ignore[arg-type]
        run = parser.parse()
        return cls(text, name, html, run, parser.templates, parser.refs)

    def render(self, data: Any) -> str:
        """Execute the template on ``data``; raises :class:`TemplateExecError`."""
        st = _State(data, self._templates, self.html)
        try:
            self._run(st, data)
        except TemplateExecError as err:
            raise TemplateExecError(f"template: {self.name}: {err}") from None
        except RecursionError:
            raise TemplateExecError(f"template: {self.name}: nesting too deep") from None
        return "".join(st.out)

    @property
    def uses_all_data(self) -> bool:
        """Whether the template reads the whole data (``{{ . }}``, ``{{ json . }}``)."""
        return self._refs.all

    @property
    def root_fields(self) -> frozenset[str]:
        """The top-level fields the template reads (``.Name``, ``$.Tags``...)."""
        return frozenset(self._refs.fields)

    def check_fields(self, allowed: set[str] | frozenset[str]) -> None:
        """Raise :class:`TemplateParseError` if the template reads a top-level field not in
        ``allowed``: a misspelt ``.Feilds`` is caught when the task is defined."""
        unknown = sorted(self.root_fields - set(allowed))
        if unknown:
            raise TemplateParseError(
                f"template: {self.name}: can't evaluate field {unknown[0]}; "
                f"available: {', '.join(sorted(allowed))}"
            )

    def __repr__(self) -> str:
        return f"Template({self.name!r}, {self.text!r})"
