"""Lexing Go templates: text, ``{{ actions }}`` with trim markers, comments, tokens.

Part of :mod:`leyden.tick.gotemplate`; the parser there turns these tokens into a
tree of closures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from leyden.kernel import TickError


class TemplateParseError(TickError):
    """A template is malformed or uses something unsupported; raised when it is parsed."""


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
class Tok:
    kind: str  # ident keyword field var dot string number char bool nil ( ) | := = ,
    text: str
    line: int
    spaced: bool  # whitespace precedes it inside the action
    value: Any = None


@dataclass
class Item:
    """A piece of the template: literal text, or an action's tokens."""

    text: str | None
    tokens: list[Tok] = field(default_factory=list)
    line: int = 1


def lex(src: str, name: str) -> list[Item]:
    items: list[Item] = []
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
            items.append(Item(text, line=line))
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
                raise lex_error(name, line, "unclosed comment")
            line += src.count("\n", pos, end)
            after = end + 2
            if src.startswith(" -}}", after):
                pos, trim_next = after + 4, True
            elif src.startswith("}}", after):
                pos, trim_next = after + 2, False
            else:
                raise lex_error(name, line, "comment ends before closing delimiter")
            continue
        tokens, pos, trim_next, line = _lex_action(src, pos, line, name)
        items.append(Item(None, tokens, action_line))


def _lex_action(src: str, pos: int, line: int, name: str) -> tuple[list[Tok], int, bool, int]:
    tokens: list[Tok] = []
    spaced = True
    n = len(src)
    while True:
        if pos >= n:
            raise lex_error(name, line, "unclosed action")
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
            tokens.append(Tok(ch, ch, tok_line, spaced))
            pos += 1
        elif src.startswith(":=", pos):
            tokens.append(Tok(":=", ":=", tok_line, spaced))
            pos += 2
        elif ch == "=":
            tokens.append(Tok("=", "=", tok_line, spaced))
            pos += 1
        elif ch == '"':
            end = pos + 1
            while end < n and src[end] != '"':
                if src[end] == "\n":
                    raise lex_error(name, line, "unterminated quoted string")
                end += 2 if src[end] == "\\" else 1
            if end >= n:
                raise lex_error(name, line, "unterminated quoted string")
            text = src[pos : end + 1]
            tokens.append(Tok("string", text, tok_line, spaced, _unquote(text[1:-1], name, line)))
            pos = end + 1
        elif ch == "`":
            end = src.find("`", pos + 1)
            if end < 0:
                raise lex_error(name, line, "unterminated raw quoted string")
            tokens.append(Tok("string", src[pos : end + 1], tok_line, spaced, src[pos + 1 : end]))
            line += src.count("\n", pos, end)
            pos = end + 1
        elif ch == "'":
            end = pos + 1
            while end < n and src[end] != "'":
                end += 2 if src[end] == "\\" else 1
            body = _unquote(src[pos + 1 : end], name, line)
            if end >= n or len(body) != 1:
                raise lex_error(name, line, f"malformed character constant: {src[pos : end + 1]}")
            tokens.append(Tok("char", src[pos : end + 1], tok_line, spaced, ord(body)))
            pos = end + 1
        elif ch == "$":
            m = _IDENT.match(src, pos + 1)
            text = "$" + (m.group() if m else "")
            tokens.append(Tok("var", text, tok_line, spaced))
            pos += len(text)
        elif ch == "." and not (pos + 1 < n and src[pos + 1].isdigit()):
            m = _IDENT.match(src, pos + 1)
            if m:
                tokens.append(Tok("field", m.group(), tok_line, spaced))
                pos = m.end()
            else:
                tokens.append(Tok("dot", ".", tok_line, spaced))
                pos += 1
        elif ch in "+-." or ch.isdigit():
            m = _NUMBER.match(src, pos)
            if not m or (m.end() < n and (src[m.end()].isalnum() or src[m.end()] == ".")):
                raise lex_error(name, line, f"bad number syntax: {src[pos : pos + 10]!r}")
            tokens.append(Tok("number", m.group(), tok_line, spaced, _number(m.group(), name, line)))
            pos = m.end()
        else:
            m = _IDENT.match(src, pos)
            if not m:
                raise lex_error(name, line, f"unexpected {ch!r} in command")
            word = m.group()
            if word in ("true", "false"):
                tokens.append(Tok("bool", word, tok_line, spaced, word == "true"))
            elif word == "nil":
                tokens.append(Tok("nil", word, tok_line, spaced))
            else:
                tokens.append(Tok("keyword" if word in _KEYWORDS else "ident", word, tok_line, spaced))
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
                raise lex_error(name, line, f"invalid escape \\{esc}{digits}")
            code = int(digits, 16)
            if esc == "x":
                out.append(bytes([code]).decode("latin-1"))
            else:
                out.append(chr(code))
            i += 2 + size
        elif esc.isdigit():
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits):
                raise lex_error(name, line, f"invalid escape \\{digits}")
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise lex_error(name, line, f"unknown escape sequence: \\{esc}")
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
        raise lex_error(name, line, f"illegal number syntax: {text!r}") from None


def lex_error(name: str, line: int, message: str) -> TemplateParseError:
    return TemplateParseError(f"template: {name}:{line}: {message}")
