"""The TICKscript syntax tree: frozen dataclasses, built by the parser, read by the
checker, the pipeline builder, the lambda compiler and the formatter.

Every node carries ``pos``, the 1-based ``(line, column)`` of its first character
(for a :class:`Chain` link, of its operator), so every error can point at what the
user wrote. The few layout facts Kapacitor's formatter needs (octal literals,
multi-line argument lists and operands, where each comment is attached) are kept too.
"""

from __future__ import annotations

from dataclasses import dataclass

Pos = tuple[int, int]


# -- literals (valid both in scripts and inside lambdas) --------------------------------


@dataclass(frozen=True)
class StringLit:
    """``'text'`` or ``'''text'''``; ``value`` is unescaped."""

    value: str
    pos: Pos
    triple: bool = False


@dataclass(frozen=True)
class IntLit:
    """An integer; ``octal`` for a literal with a leading zero (``0644``), as in Go."""

    value: int
    pos: Pos
    octal: bool = False


@dataclass(frozen=True)
class FloatLit:
    value: float
    pos: Pos


@dataclass(frozen=True)
class BoolLit:
    """``TRUE`` or ``FALSE``."""

    value: bool
    pos: Pos


@dataclass(frozen=True)
class DurationLit:
    """``10s``, ``5m``, ``1w``; ``text`` keeps what the user wrote for formatting."""

    ns: int
    text: str
    pos: Pos


@dataclass(frozen=True)
class RegexLit:
    """``/pattern/``; ``pattern`` has ``\\/`` unescaped to ``/``."""

    pattern: str
    pos: Pos


@dataclass(frozen=True)
class StarLit:
    """``*`` as in ``groupBy(*)``."""

    pos: Pos


@dataclass(frozen=True)
class Ident:
    """A variable reference (``stream``, ``threshold``)."""

    name: str
    pos: Pos


# -- lambda expressions -----------------------------------------------------------------


@dataclass(frozen=True)
class FieldRef:
    """``"name"``: a field or tag of the point (fields first), or ``"time"``."""

    name: str
    pos: Pos


@dataclass(frozen=True)
class Call:
    """A function call inside a lambda: ``sigma("value")``."""

    func: str
    args: tuple[Expr, ...]
    pos: Pos
    multiline: bool = False


@dataclass(frozen=True)
class Unary:
    """``-x`` or ``!x``."""

    op: str
    operand: Expr
    pos: Pos


@dataclass(frozen=True)
class Binary:
    """``left op right``; ``op`` is one of ``+ - * / % == != < <= > >= =~ !~ AND OR``.

    ``op_pos`` is where the operator is; ``multiline`` records a line break between
    the operands, which the formatter keeps.
    """

    op: str
    left: Expr
    right: Expr
    pos: Pos
    op_pos: Pos = (0, 0)
    multiline: bool = False


@dataclass(frozen=True)
class Paren:
    """A parenthesised expression, kept so the formatter can reproduce it."""

    expr: Expr
    pos: Pos


@dataclass(frozen=True)
class Lambda:
    """``lambda: expr``."""

    expr: Expr
    pos: Pos


# -- script level -----------------------------------------------------------------------


@dataclass(frozen=True)
class ListLit:
    """``[a, b, c]``."""

    items: tuple[Expr, ...]
    pos: Pos


@dataclass(frozen=True)
class Chain:
    """``left | name(args)``, ``left . name(args)`` or ``left @ name(args)``.

    ``op`` is ``"|"`` (new node), ``"."`` (property or handler) or ``"@"`` (UDF).
    ``pos`` is the operator's position and ``name_pos`` the name's.
    ``has_parens`` is False for a bare ``.name`` property; ``multiline`` records
    arguments written over several lines.
    """

    left: Expr
    op: str
    name: str
    args: tuple[Expr, ...]
    pos: Pos
    has_parens: bool = True
    name_pos: Pos = (0, 0)
    multiline: bool = False


@dataclass(frozen=True)
class Comment:
    """A block of ``// text`` lines, kept for the formatter.

    As in Kapacitor, a comment belongs to the token that follows it: ``anchor`` is
    that token's position (None at the end of the script). ``lines`` holds each
    line without its ``//`` (and one space); a blank line between two comments is
    the entry ``"\\n"``. ``text`` is the lines joined, the description of a ``var``.
    """

    text: str
    pos: Pos
    lines: tuple[str, ...] = ()
    anchor: Pos | None = None


@dataclass(frozen=True)
class VarDecl:
    """``var name = value`` or, in a template, ``var name type`` (no value)."""

    name: str
    value: Expr | None
    pos: Pos
    type_name: str | None = None
    name_pos: Pos = (0, 0)


@dataclass(frozen=True)
class Dbrp:
    """``dbrp "db"."rp"``."""

    db: str
    rp: str
    pos: Pos


@dataclass(frozen=True)
class ExprStmt:
    expr: Expr
    pos: Pos


@dataclass(frozen=True)
class Program:
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...] = ()


Expr = (
    StringLit
    | IntLit
    | FloatLit
    | BoolLit
    | DurationLit
    | RegexLit
    | StarLit
    | Ident
    | FieldRef
    | Call
    | Unary
    | Binary
    | Paren
    | Lambda
    | ListLit
    | Chain
)
Statement = VarDecl | Dbrp | ExprStmt
