"""TICKscript text to syntax tree: the cached lark parser, comments, and readable errors.

The grammar lives in ``grammar.lark``; :mod:`.transformer` turns lark's parse tree
into the dataclasses of :mod:`.ast`. Comments are skipped by the lexer but collected
on the side, grouped and attached to the token that follows them, the way
Kapacitor's parser attaches them, so the formatter can put them back.

Errors are :class:`~leyden.kernel.TickSyntaxError` with a 1-based line and column
and a message that says what was expected::

    >>> parse("stream\\n    |from()\\n        .measurement('cpu)")
    Traceback (most recent call last):
    ...
    leyden.kernel._errors.TickSyntaxError: line 3 char 22: unterminated string
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from contextvars import ContextVar
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from leyden.kernel import TickError, TickSyntaxError

from . import ast
from .durations import DURATION_UNITS
from .transformer import to_ast

_comment_tokens: ContextVar[list[Token]] = ContextVar("tick_comment_tokens")


def _collect_comment(token: Token) -> Token:
    _comment_tokens.get().append(token)
    return token


@functools.cache
def _lark() -> Lark:
    grammar = Path(__file__).with_name("grammar.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        start=["start", "lambda_body"],
        lexer_callbacks={"COMMENT": _collect_comment},
    )


def parse(script: str) -> ast.Program:
    """Parse a whole script; raises :class:`TickSyntaxError` with line and column."""
    tree, comments = _parse_tree(script, "start")
    statements = _transform(tree)
    _reject_glued_statements(script, statements)
    return ast.Program(tuple(statements), tuple(_comment_blocks(script, comments)))


def _reject_glued_statements(text: str, statements: list[ast.Statement]) -> None:
    """``var d = 1.5s`` parses as ``var d = 1.5`` followed by the statement ``s``;
    a statement glued to a number is a malformed duration instead."""
    lines = None
    for statement in statements:
        if isinstance(statement, ast.ExprStmt):
            lines = lines or _LineIndex(text)
            offset = lines.offset(statement.pos)
            word = re.match(r"\w+", text[offset:])
            message = _glued_number_message(text[:offset], word.group() if word else "", "IDENT")
            if message:
                raise TickSyntaxError(message, *statement.pos)


def parse_lambda(text: str) -> ast.Lambda:
    """Parse a lambda expression without its ``lambda:`` keyword, as Kapacitor's API
    carries the value of a ``lambda`` var (``"value" > 10``)."""
    tree, _ = _parse_tree(text, "lambda_body")
    return _transform(tree)


def _parse_tree(text: str, start: str) -> tuple[Tree, list[Token]]:
    collected: list[Token] = []
    reset = _comment_tokens.set(collected)
    try:
        return _lark().parse(text, start=start), collected
    except UnexpectedInput as err:
        raise _syntax_error(text, err) from None
    finally:
        _comment_tokens.reset(reset)


def _transform(tree: Tree) -> ast.Program | ast.Lambda | list[ast.Statement]:
    try:
        return to_ast(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, TickError):
            raise err.orig_exc from None
        raise


# -- comments --------------------------------------------------------------------------


def _comment_blocks(text: str, tokens: list[Token]) -> Iterable[ast.Comment]:
    """Group comment tokens separated only by whitespace into one block each.

    A blank line inside a block is kept as a ``"\\n"`` entry; the block belongs to
    the first token after it.
    """
    if not tokens:
        return
    lines = _LineIndex(text)
    block: list[Token] = []
    for token in tokens:
        if block and text[block[-1].end_pos : token.start_pos].strip():
            yield _make_block(text, block, lines)
            block = []
        block.append(token)
    yield _make_block(text, block, lines)


def _make_block(text: str, tokens: list[Token], lines: _LineIndex) -> ast.Comment:
    entries: list[str] = []
    for i, token in enumerate(tokens):
        if i and text.count("\n", tokens[i - 1].end_pos, token.start_pos) > 1:
            entries.append("\n")
        entries.append(_comment_line(token.value))
    following = len(text) - len(text[tokens[-1].end_pos :].lstrip())
    anchor = lines.position(following) if following < len(text) else None
    return ast.Comment(
        text="\n".join(entries),
        pos=(tokens[0].line, tokens[0].column),
        lines=tuple(entries),
        anchor=anchor,
    )


def _comment_line(raw: str) -> str:
    """``//  text`` -> `` text``: the slashes and one space go, as in Kapacitor."""
    line = raw.strip().removeprefix("//")
    return line.removeprefix(" ")


class _LineIndex:
    """Offsets to 1-based (line, column), as lark counts them."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> ast.Pos:
        line = bisect.bisect_right(self.starts, offset)
        return (line, offset - self.starts[line - 1] + 1)

    def offset(self, pos: ast.Pos) -> int:
        return self.starts[pos[0] - 1] + pos[1] - 1


# -- errors ----------------------------------------------------------------------------

_TOKEN_NAMES = {
    "IDENT": "identifier",
    "REFERENCE": "field reference",
    "STRING": "string",
    "TRIPLE_STRING": "string",
    "INT": "number",
    "FLOAT": "number",
    "DURATION": "duration",
    "REGEX": "regex",
    "LAMBDA": "'lambda:'",
    "VAR": "'var'",
    "DBRP": "'dbrp'",
    "TRUE": "TRUE",
    "FALSE": "FALSE",
    "AND": "AND",
    "OR": "OR",
    "EQ_OP": "operator",
    "REL_OP": "operator",
    "$END": "end of script",
}
_PUNCTUATION = {
    "PLUS": "+",
    "MINUS": "-",
    "STAR": "*",
    "SLASH": "/",
    "PERCENT": "%",
    "BANG": "!",
    "PIPE": "|",
    "DOT": ".",
    "AT": "@",
    "LPAR": "(",
    "RPAR": ")",
    "LBRACKET": "[",
    "RSQB": "]",
    "COMMA": ",",
    "EQUAL": "=",
}
_DURATION_AT_END = re.compile(r"\d+(?:ms|u|µ|s|m|h|d|w)$")
_NUMBER_AT_END = re.compile(r"\d*\.?\d+$")
_UNITS = ", ".join(DURATION_UNITS)


def _describe(kind: str) -> str:
    if kind in _PUNCTUATION:
        return f"'{_PUNCTUATION[kind]}'"
    return _TOKEN_NAMES.get(kind, kind)


def _syntax_error(text: str, err: UnexpectedInput) -> TickSyntaxError:
    if isinstance(err, UnexpectedCharacters):
        return TickSyntaxError(_bad_character_message(text, err), err.line, err.column)
    if isinstance(err, UnexpectedToken):
        # ``accepts`` replays the parser per terminal: exact where LALR's table is not.
        expected = err.accepts or err.expected
        token = err.token
        if token.type == "$END":
            line, column = _LineIndex(text).position(len(text.rstrip()))
            return TickSyntaxError(f"unexpected end of script, expected {_expected(expected)}", line, column)
        return TickSyntaxError(_bad_token_message(text, token, expected), token.line, token.column)
    return TickSyntaxError(str(err), getattr(err, "line", 0), getattr(err, "column", 0))


def _bad_character_message(text: str, err: UnexpectedCharacters) -> str:
    char = text[err.pos_in_stream]
    if char == "'":
        return "unterminated string"
    if char == '"':
        return "unterminated field reference"
    if char == "/" and "REGEX" in err.allowed:
        return "unterminated regex"
    return f"unexpected character {char!r}"


def _bad_token_message(text: str, token: Token, expected: Iterable[str]) -> str:
    before = text[: token.start_pos]
    glued = _glued_number_message(before, token.value, token.type)
    if glued:
        return glued
    if re.search(r"(?<!\w)lambda\s*$", before):
        return "missing ':' after lambda"
    if token.type == "SLASH" and "REGEX" in expected:
        return "unterminated regex"
    found = _describe(token.type)
    if token.type in _TOKEN_NAMES:
        found += f" {token.value!r}"
    return f"unexpected {found}, expected {_expected(expected)}"


_OPERANDS = frozenset(
    {"IDENT", "REFERENCE", "STRING", "TRIPLE_STRING", "INT", "FLOAT", "DURATION", "REGEX"}
    | {"TRUE", "FALSE", "LAMBDA", "LBRACKET", "LPAR", "MINUS", "BANG", "STAR"}
)
_OPERATORS = frozenset({"PLUS", "MINUS", "STAR", "SLASH", "PERCENT", "EQ_OP", "REL_OP", "AND", "OR"})


def _glued_number_message(before: str, word: str, kind: str) -> str | None:
    """The error for a name or number written right after a number (``10x``,
    ``1.5s``, ``1m30s``), which is always a malformed duration; else None."""
    if kind not in ("IDENT", "DURATION", "INT") or not before[-1:].isalnum():
        return None
    duration = _DURATION_AT_END.search(before)
    number = duration or _NUMBER_AT_END.search(before)
    if number is None:
        return None
    literal = number.group() + word
    if duration and kind == "DURATION":
        return f"invalid duration {literal}: compound durations are not supported, use one unit (90s)"
    return f"invalid duration {literal}: a duration is an integer and a unit ({_UNITS})"


def _expected(kinds: Iterable[str]) -> str:
    """What the parser would have accepted, in words: "an expression" stands for
    the many tokens that can start one, "an operator" for the binary operators."""
    kinds = set(kinds)
    names = []
    if len(kinds & _OPERANDS) > 3:
        names.append("an expression")
        kinds -= _OPERANDS
    if len(kinds & _OPERATORS) > 3:
        names.append("an operator")
        kinds -= _OPERATORS
    names += sorted({_describe(kind) for kind in kinds})
    if len(names) > 6:
        names = [*names[:5], "..."]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
