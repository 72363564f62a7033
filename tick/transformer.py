"""lark's parse tree to the frozen dataclasses of :mod:`.ast`.

Nothing is evaluated here: literals are decoded (escapes, durations, octal numbers),
positions recorded, and the few things Kapacitor rejects while parsing are rejected
with a :class:`~leyden.kernel.TickSyntaxError` (a bad number, an invalid regex, an
unknown var type, a lambda nested in a lambda).
"""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, Tree, v_args

from leyden.kernel import TickError, TickSyntaxError

from . import ast
from .durations import parse_duration_literal
from .lambdas import compile_regex

#: The types a template may declare with ``var name type``.
VAR_TYPES = frozenset({"string", "int", "float", "bool", "duration", "regex", "lambda", "star", "list"})
_INT64_MAX = 2**63 - 1


def to_ast(tree: Tree) -> Any:
    """The AST of a ``start`` tree (a list of statements) or a ``lambda_body`` tree."""
    return _ToAst().transform(tree)


def _pos(token: Token) -> ast.Pos:
    return (token.line, token.column)


def start_pos(expr: ast.Expr) -> ast.Pos:
    """Where an expression's text begins (a chain begins with its head)."""
    while isinstance(expr, ast.Chain):
        expr = expr.left
    return expr.pos


def layout_pos(expr: ast.Expr) -> ast.Pos:
    """The position Kapacitor's formatter compares to find line breaks: an
    operator for binary expressions and chains, the first token otherwise."""
    while isinstance(expr, ast.Paren):
        expr = expr.expr
    if isinstance(expr, ast.Binary):
        return expr.op_pos
    return expr.pos


def _spans_lines(first: ast.Pos, last_arg: tuple[ast.Expr, ...]) -> bool:
    return bool(last_arg) and layout_pos(last_arg[-1])[0] != first[0]


def _unescape(body: str, quote: str) -> str:
    return body.replace("\\" + quote, quote)


@v_args(inline=True)
class _ToAst(Transformer):
    # -- statements ------------------------------------------------------------------

    def start(self, *statements: ast.Statement) -> list[ast.Statement]:
        return list(statements)

    def var_decl(self, var: Token, name: Token, value: ast.Expr) -> ast.VarDecl:
        return ast.VarDecl(name.value, value, _pos(var), name_pos=_pos(name))

    def type_decl(self, var: Token, name: Token, type_name: Token) -> ast.VarDecl:
        if type_name.value not in VAR_TYPES:
            raise TickSyntaxError(
                f"invalid var type {type_name.value!r}, expected one of {', '.join(sorted(VAR_TYPES))}",
                *_pos(type_name),
            )
        return ast.VarDecl(name.value, None, _pos(var), type_name=type_name.value, name_pos=_pos(name))

    def dbrp(self, keyword: Token, db: Token, rp: Token) -> ast.Dbrp:
        return ast.Dbrp(_unescape(db.value[1:-1], '"'), _unescape(rp.value[1:-1], '"'), _pos(keyword))

    def expr_stmt(self, expr: ast.Expr) -> ast.ExprStmt:
        return ast.ExprStmt(expr, start_pos(expr))

    # -- script-level expressions ----------------------------------------------------

    def lambda_expr(self, keyword: Token, expr: ast.Expr) -> ast.Lambda:
        _reject_nested(expr)
        return ast.Lambda(expr, _pos(keyword))

    def lambda_body(self, expr: ast.Expr) -> ast.Lambda:
        _reject_nested(expr)
        return ast.Lambda(expr, start_pos(expr))

    def list_lit(self, bracket: Token, *items: ast.Expr | None) -> ast.ListLit:
        return ast.ListLit(tuple(item for item in items if item is not None), _pos(bracket))

    def chain(self, head: ast.Expr, *links: tuple[Token, Token, tuple[ast.Expr, ...] | None]) -> ast.Chain:
        expr = head
        for op, name, args in links:
            call_args = args or ()
            expr = ast.Chain(
                left=expr,
                op=op.value,
                name=name.value,
                args=call_args,
                pos=_pos(op),
                has_parens=args is not None,
                name_pos=_pos(name),
                multiline=_spans_lines(_pos(name), call_args),
            )
        return expr

    def link(self, op: Token, name: Token, args: tuple[ast.Expr, ...] | None) -> tuple:
        return (op, name, args or ())

    def bare_link(self, op: Token, name: Token) -> tuple:
        return (op, name, None)

    def args(self, *exprs: ast.Expr) -> tuple[ast.Expr, ...]:
        return exprs

    def call(self, name: Token, args: tuple[ast.Expr, ...] | None) -> ast.Call:
        call_args = args or ()
        return ast.Call(name.value, call_args, _pos(name), multiline=_spans_lines(_pos(name), call_args))

    # -- operators -------------------------------------------------------------------

    def binary(self, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Binary:
        return ast.Binary(
            op=op.value,
            left=left,
            right=right,
            pos=start_pos(left),
            op_pos=_pos(op),
            multiline=layout_pos(left)[0] != layout_pos(right)[0],
        )

    def unary(self, op: Token, operand: ast.Expr) -> ast.Unary:
        return ast.Unary(op.value, operand, _pos(op))

    def paren(self, lpar: Token, expr: ast.Expr) -> ast.Paren:
        return ast.Paren(expr, _pos(lpar))

    # -- literals --------------------------------------------------------------------

    def ident(self, token: Token) -> ast.Ident:
        return ast.Ident(token.value, _pos(token))

    def reference(self, token: Token) -> ast.FieldRef:
        return ast.FieldRef(_unescape(token.value[1:-1], '"'), _pos(token))

    def string(self, token: Token) -> ast.StringLit:
        if token.type == "TRIPLE_STRING":
            return ast.StringLit(token.value[3:-3], _pos(token), triple=True)
        return ast.StringLit(_unescape(token.value[1:-1], "'"), _pos(token))

    def integer(self, token: Token) -> ast.IntLit:
        text = token.value
        octal = len(text) > 1 and text[0] == "0"
        try:
            value = int(text, 8 if octal else 10)
        except ValueError:
            raise TickSyntaxError(f"illegal number syntax: {text!r}", *_pos(token)) from None
        if value > _INT64_MAX:
            raise TickSyntaxError(f"integer {text} is out of range", *_pos(token))
        return ast.IntLit(value, _pos(token), octal=octal)

    def decimal(self, token: Token) -> ast.FloatLit:
        return ast.FloatLit(float(token.value), _pos(token))

    def duration(self, token: Token) -> ast.DurationLit:
        ns = parse_duration_literal(token.value)
        if ns > _INT64_MAX:
            raise TickSyntaxError(f"duration {token.value} is out of range", *_pos(token))
        return ast.DurationLit(ns, token.value, _pos(token))

    def boolean(self, token: Token) -> ast.BoolLit:
        return ast.BoolLit(token.value == "TRUE", _pos(token))

    def regex(self, token: Token) -> ast.RegexLit:
        pattern = _unescape(token.value[1:-1], "/")
        try:
            compile_regex(pattern, _pos(token))
        except TickError as err:
            raise TickSyntaxError(err.message, err.line, err.column) from None
        return ast.RegexLit(pattern, _pos(token))

    def star(self, token: Token) -> ast.StarLit:
        return ast.StarLit(_pos(token))


def _reject_nested(expr: ast.Expr) -> None:
    """Inside a lambda only values, field references, operators and function calls
    may appear; Kapacitor rejects the rest while parsing."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Lambda | ast.ListLit | ast.Chain):
            what = {ast.Lambda: "a lambda", ast.ListLit: "a list", ast.Chain: "a pipeline"}[type(node)]
            raise TickSyntaxError(f"{what} cannot appear inside a lambda expression", *start_pos(node))
        if isinstance(node, ast.Binary):
            stack += (node.left, node.right)
        elif isinstance(node, ast.Unary):
            stack.append(node.operand)
        elif isinstance(node, ast.Paren):
            stack.append(node.expr)
        elif isinstance(node, ast.Call):
            stack += node.args
