"""Kapacitor's canonical TICKscript layout (``script-format=formatted``).

Statements are separated by a blank line; each ``|`` link goes on its own line
indented four spaces past the start of its chain, each ``.`` link eight::

    var period = 10s

    stream
        |from()
            .measurement('cpu')
        |window()
            .period(period)
            .every(period)

Literals are re-rendered (``'it\\'s'``, ``1.0``, ``0644``), parentheses are kept
only around binary expressions, argument lists and binary operands written over
several lines stay over several lines, and comments come back above the token they
were written before, as Kapacitor's formatter puts them.
"""

from __future__ import annotations

from decimal import Decimal

from . import ast
from .parser import parse

INDENT = "    "
_KEEP = object()  # "no comment given": look the node's own comment up


def format(script: str) -> str:
    """The script in canonical layout; raises ``TickSyntaxError`` if it does not parse."""
    program = parse(script)
    return _Formatter(program.comments).program(program)


def format_expression(expr: ast.Expr) -> str:
    """One expression on its own, as Kapacitor shows a lambda var's value."""
    formatter = _Formatter(())
    formatter.expr(expr, "", True)
    return "".join(formatter.out)


class _Formatter:
    def __init__(self, comments: tuple[ast.Comment, ...]) -> None:
        self.out: list[str] = []
        self.trailing = [c for c in comments if c.anchor is None]
        self.comments = {c.anchor: c for c in comments if c.anchor is not None}

    def program(self, program: ast.Program) -> str:
        items: list[ast.Statement | ast.Comment] = [*program.statements, *self.trailing]
        for i, item in enumerate(items):
            if i:
                self.write("\n")
            self.statement(item)
            self.write("\n")
        return "".join(self.out)

    def write(self, text: str) -> None:
        self.out.append(text)

    def indent(self, indent: str, on_new_line: bool) -> None:
        if on_new_line:
            self.write(indent)

    def comment_at(self, pos: ast.Pos) -> ast.Comment | None:
        return self.comments.pop(pos, None)

    def comment(self, comment: ast.Comment | None, indent: str, on_new_line: bool) -> bool:
        """Write a comment block above what follows; True if one was written."""
        if comment is None:
            return False
        if not on_new_line:
            self.write("\n")
        for line in comment.lines:
            if line == "\n":
                self.write("\n")
            else:
                self.write(f"{indent}//{' ' + line if line else ''}\n")
        return True

    # -- statements ------------------------------------------------------------------

    def statement(self, item: ast.Statement | ast.Comment) -> None:
        if isinstance(item, ast.Comment):
            self.comment(item, "", True)
        elif isinstance(item, ast.VarDecl):
            self.comment(self.comment_at(item.pos), "", True)
            if item.value is None:
                self.write(f"var {item.name} {item.type_name}")
            else:
                self.write(f"var {item.name} = ")
                self.expr(item.value, "", False)
        elif isinstance(item, ast.Dbrp):
            self.comment(self.comment_at(item.pos), "", True)
            self.write(f'dbrp "{item.db}"."{item.rp}"')
        else:
            self.expr(item.expr, "", True)

    # -- expressions -----------------------------------------------------------------

    def expr(self, e: ast.Expr, indent: str, on_new_line: bool, comment: object = _KEEP) -> None:
        """Write ``e``; ``comment`` replaces the node's own comment (parentheses
        carry the comment written before them to the expression inside)."""
        if isinstance(e, ast.Chain):
            self.chain(e, indent, on_new_line)
            return
        if isinstance(e, ast.Paren):
            self.paren(e, indent, on_new_line)
            return
        own = self.comment_at(_comment_pos(e)) if comment is _KEEP else comment
        if self.comment(own, indent, on_new_line):
            on_new_line = True
        if isinstance(e, ast.Call):
            self.function(e.func, e.args, e.multiline, indent, on_new_line)
        elif isinstance(e, ast.Binary):
            self.binary(e, indent, on_new_line, parens=False)
        else:
            self.indent(indent, on_new_line)
            if isinstance(e, ast.Lambda):
                self.write("lambda: ")
                self.expr(e.expr, indent, False)
            elif isinstance(e, ast.Unary):
                self.write(e.op)
                self.expr(e.operand, indent, False)
            elif isinstance(e, ast.ListLit):
                self.write("[")
                for i, item in enumerate(e.items):
                    if i:
                        self.write(", ")
                    self.expr(item, indent, on_new_line)
                self.write("]")
            else:
                self.write(literal(e))

    def chain(self, e: ast.Chain, indent: str, on_new_line: bool) -> None:
        self.expr(e.left, indent, on_new_line)
        self.write("\n")
        link_indent = indent + INDENT * (2 if e.op == "." else 1)
        self.comment(self.comment_at(e.pos), link_indent, True)
        self.write(link_indent + e.op)
        name_comment = self.comment_at(e.name_pos)
        on_new_line = self.comment(name_comment, link_indent, False)
        if e.has_parens:
            self.function(e.name, e.args, e.multiline, link_indent, on_new_line)
        else:
            self.indent(link_indent, on_new_line)
            self.write(e.name)

    def function(
        self, name: str, args: tuple[ast.Expr, ...], multiline: bool, indent: str, on_new_line: bool
    ) -> None:
        self.indent(indent, on_new_line)
        self.write(name + "(")
        for i, arg in enumerate(args):
            if i:
                self.write("," if multiline else ", ")
            if multiline:
                self.write("\n")
            self.expr(arg, indent + INDENT, multiline)
        if multiline and args:
            self.write("\n" + indent)
        self.write(")")

    def binary(self, e: ast.Binary, indent: str, on_new_line: bool, parens: bool) -> None:
        self.indent(indent, on_new_line)
        if parens:
            self.write("(")
            indent += INDENT
        self.expr(e.left, indent, False)
        self.write(f" {e.op}" + ("\n" if e.multiline else " "))
        self.expr(e.right, indent, e.multiline)
        if parens:
            self.write(")")

    def paren(self, e: ast.Paren, indent: str, on_new_line: bool) -> None:
        """Parentheses survive only around a binary expression (once, however many
        were written); the comment before them goes to what they enclose."""
        inner = e.expr
        while isinstance(inner, ast.Paren):
            self.comment_at(inner.pos)
            inner = inner.expr
        comment = self.comment_at(e.pos)
        if not isinstance(inner, ast.Binary):
            self.comment_at(_comment_pos(inner))
            self.expr(inner, indent, on_new_line, comment)
            return
        self.comment_at(inner.op_pos)
        if self.comment(comment, indent, on_new_line):
            on_new_line = True
        self.binary(inner, indent, on_new_line, parens=True)


def _comment_pos(e: ast.Expr) -> ast.Pos:
    """The token a node's comment is attached to: a binary expression's operator,
    the first token of anything else."""
    return e.op_pos if isinstance(e, ast.Binary) else e.pos


def literal(e: ast.Expr) -> str:
    """The canonical text of a literal, identifier or field reference."""
    if isinstance(e, ast.Ident):
        return e.name
    if isinstance(e, ast.FieldRef):
        return '"' + e.name.replace('"', '\\"') + '"'
    if isinstance(e, ast.StringLit):
        return f"'''{e.value}'''" if e.triple else "'" + e.value.replace("'", "\\'") + "'"
    if isinstance(e, ast.IntLit):
        return f"0{e.value:o}" if e.octal else str(e.value)
    if isinstance(e, ast.FloatLit):
        return format_float(e.value)
    if isinstance(e, ast.DurationLit):
        return e.text
    if isinstance(e, ast.BoolLit):
        return "TRUE" if e.value else "FALSE"
    if isinstance(e, ast.RegexLit):
        return "/" + e.pattern.replace("/", "\\/") + "/"
    if isinstance(e, ast.StarLit):
        return "*"
    raise TypeError(f"not a literal: {e!r}")


def format_float(value: float) -> str:
    """The shortest exact decimal, never in exponent form, always with a point
    (Go's ``strconv.FormatFloat(f, 'f', -1, 64)`` plus ``.0``)."""
    text = f"{Decimal(repr(value)):f}"
    return text if "." in text else text + ".0"
