"""The TICKscript parser: every construct of the language, and every error it reports
with its line and column."""

from __future__ import annotations

import pytest

from leyden.kernel import TickError, TickSyntaxError
from leyden.tick import ast, parse, parse_lambda


def value_of(script: str) -> ast.Expr:
    """The value of the script's only ``var`` declaration."""
    (decl,) = parse(script).statements
    assert isinstance(decl, ast.VarDecl)
    return decl.value


def lambda_expr(text: str) -> ast.Expr:
    return parse_lambda(text).expr


def shape(e: ast.Expr) -> object:
    """A compact picture of an expression tree, to check precedence."""
    if isinstance(e, ast.Binary):
        return (shape(e.left), e.op, shape(e.right))
    if isinstance(e, ast.Unary):
        return (e.op, shape(e.operand))
    if isinstance(e, ast.Paren):
        return ["()", shape(e.expr)]
    if isinstance(e, ast.FieldRef):
        return f'"{e.name}"'
    if isinstance(e, ast.Call):
        return (e.func, *map(shape, e.args))
    if isinstance(e, ast.Ident):
        return e.name
    if isinstance(e, ast.RegexLit):
        return f"/{e.pattern}/"
    return e.value


def syntax_error(script: str) -> TickSyntaxError:
    with pytest.raises(TickSyntaxError) as info:
        parse(script)
    return info.value


# -- var declarations of every type ------------------------------------------------------


def test_string_int_float_bool():
    assert value_of("var s = 'cpu'") == ast.StringLit("cpu", (1, 9))
    assert value_of("var i = 42") == ast.IntLit(42, (1, 9))
    assert value_of("var f = 0.5") == ast.FloatLit(0.5, (1, 9))
    assert value_of("var f = 2.") == ast.FloatLit(2.0, (1, 9))
    assert value_of("var t = TRUE") == ast.BoolLit(True, (1, 9))
    assert value_of("var t = FALSE") == ast.BoolLit(False, (1, 9))


def test_octal_integers_as_in_go():
    assert value_of("var mode = 0644") == ast.IntLit(0o644, (1, 12), octal=True)
    assert value_of("var zero = 0") == ast.IntLit(0, (1, 12))


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("5u", 5_000),
        ("5µ", 5_000),
        ("5ms", 5_000_000),
        ("5s", 5 * 10**9),
        ("5m", 300 * 10**9),
        ("5h", 5 * 3600 * 10**9),
        ("2d", 2 * 86400 * 10**9),
        ("1w", 7 * 86400 * 10**9),
        ("90000ms", 90 * 10**9),
    ],
)
def test_durations(text, ns):
    assert value_of(f"var d = {text}") == ast.DurationLit(ns, text, (1, 9))


def test_regex_with_escaped_slash():
    assert value_of(r"var r = /^a\/b$/") == ast.RegexLit("^a/b$", (1, 9))


def test_star_and_lists():
    assert value_of("var s = *") == ast.StarLit((1, 9))
    assert value_of("var tags = ['host', *, other,]") == ast.ListLit(
        (ast.StringLit("host", (1, 13)), ast.StarLit((1, 21)), ast.Ident("other", (1, 24))), (1, 12)
    )
    assert value_of("var empty = []") == ast.ListLit((), (1, 13))


def test_lambda_value():
    lam = value_of('var c = lambda: "value" > 10')
    assert lam == ast.Lambda(
        ast.Binary(">", ast.FieldRef("value", (1, 17)), ast.IntLit(10, (1, 27)), (1, 17), op_pos=(1, 25)),
        (1, 9),
    )


def test_lambda_without_colon_is_a_name():
    assert value_of("var x = lambda") == ast.Ident("lambda", (1, 9))


def test_template_declarations():
    (decl,) = parse("var measurement string").statements
    assert decl == ast.VarDecl("measurement", None, (1, 1), type_name="string", name_pos=(1, 5))


@pytest.mark.parametrize(
    "kind", ["string", "int", "float", "bool", "duration", "regex", "lambda", "star", "list"]
)
def test_every_template_type(kind):
    assert parse(f"var x {kind}").statements[0].type_name == kind


def test_statements_need_no_separator():
    a, b, c = parse("var a = 1 var b = 'x' stream|from()").statements
    assert (a.name, b.name) == ("a", "b")
    assert isinstance(c, ast.ExprStmt)


def test_dbrp():
    (stmt,) = parse('dbrp "telegraf"."autogen"').statements
    assert stmt == ast.Dbrp("telegraf", "autogen", (1, 1))


# -- strings and references --------------------------------------------------------------


def test_single_quoted_strings_unescape_only_the_quote():
    assert value_of(r"var s = 'it\'s'").value == "it's"
    # Kapacitor keeps every other backslash as written.
    assert value_of(r"var s = 'a\nb\\c'").value == r"a\nb\\c"
    assert value_of("var s = ''").value == ""


def test_triple_quoted_strings_span_lines_and_hold_quotes():
    s = value_of("var q = '''SELECT 'x'\nFROM \"db\"'''")
    assert s == ast.StringLit("SELECT 'x'\nFROM \"db\"", (1, 9), triple=True)
    assert value_of("var e = ''''''").value == ""


def test_references_unescape_double_quotes():
    assert lambda_expr(r'"weird\"name"') == ast.FieldRef('weird"name', (1, 1))
    assert lambda_expr('"my field"') == ast.FieldRef("my field", (1, 1))


# -- chains ------------------------------------------------------------------------------


def test_chain_links_fold_left_with_positions():
    script = "stream\n    |from()\n        .measurement('cpu')\n        .align\n    @udf(1)"
    (stmt,) = parse(script).statements
    udf = stmt.expr
    assert (udf.op, udf.name, udf.args) == ("@", "udf", (ast.IntLit(1, (5, 10)),))
    assert (udf.pos, udf.name_pos) == ((5, 5), (5, 6))
    align = udf.left
    assert (align.op, align.name, align.has_parens, align.args) == (".", "align", False, ())
    measurement = align.left
    assert (measurement.name, measurement.args) == ("measurement", (ast.StringLit("cpu", (3, 22)),))
    from_ = measurement.left
    assert (from_.op, from_.name, from_.args, from_.has_parens) == ("|", "from", (), True)
    assert from_.left == ast.Ident("stream", (1, 1))
    assert stmt.pos == (1, 1)


def test_arguments_of_every_kind_and_trailing_comma():
    (stmt,) = parse("x|f('a', 1, 2.5, 10s, /r/, *, TRUE, lambda: \"v\", [a], y|g(), -1m,)").statements
    kinds = [type(a).__name__ for a in stmt.expr.args]
    assert kinds == [
        "StringLit",
        "IntLit",
        "FloatLit",
        "DurationLit",
        "RegexLit",
        "StarLit",
        "BoolLit",
        "Lambda",
        "ListLit",
        "Chain",
        "Unary",
    ]


def test_multiline_arguments_are_recorded():
    (stmt,) = parse("x|eval(\n    lambda: 1,\n    lambda: 2\n)").statements
    assert stmt.expr.multiline
    (stmt,) = parse("x|eval(lambda: 1, lambda: 2)").statements
    assert not stmt.expr.multiline


def test_a_global_function_call_statement():
    (stmt,) = parse("global(lambda: 1)").statements
    assert stmt.expr == ast.Call("global", (ast.Lambda(ast.IntLit(1, (1, 16)), (1, 8)),), (1, 1))


# -- lambda expressions: Kapacitor's precedence -------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ('"a" OR "b" AND "c"', ('"a"', "OR", ('"b"', "AND", '"c"'))),
        ('"a" AND "b" OR "c"', (('"a"', "AND", '"b"'), "OR", '"c"')),
        ('"a" == 1 AND "b" != 2', (('"a"', "==", 1), "AND", ('"b"', "!=", 2))),
        ('"a" > 1 + 2', ('"a"', ">", (1, "+", 2))),
        ("1 + 2 * 3 - 4 / 5 % 6", ((1, "+", (2, "*", 3)), "-", ((4, "/", 5), "%", 6))),
        ("1 - 2 - 3", ((1, "-", 2), "-", 3)),
        # equality binds looser than ordering, as in Kapacitor's table
        ('"a" < 1 == TRUE', (('"a"', "<", 1), "==", True)),
        ('"h" =~ /x/ AND "h" !~ /y/', (('"h"', "=~", "/x/"), "AND", ('"h"', "!~", "/y/"))),
        ('-"x" * 2', (("-", '"x"'), "*", 2)),
        ('!"a" AND "b"', (("!", '"a"'), "AND", '"b"')),
        ("--1", ("-", ("-", 1))),
        ('("a" + 1) * 2', (["()", ('"a"', "+", 1)], "*", 2)),
        ('sigma("value") > 3.0', (("sigma", '"value"'), ">", 3.0)),
        ("if(\"a\" > 1, 'hi', 'lo')", ("if", ('"a"', ">", 1), "hi", "lo")),
        ("threshold + 1", ("threshold", "+", 1)),
    ],
)
def test_precedence(text, tree):
    assert shape(lambda_expr(text)) == tree


def test_binary_positions_and_line_breaks():
    e = lambda_expr('"a" > 1 AND\n"b" < 2')
    assert (e.pos, e.op_pos, e.multiline) == ((1, 1), (1, 9), True)
    assert not e.left.multiline


def test_regex_after_match_operator_and_division_elsewhere():
    assert shape(lambda_expr('"a" / 2 =~ /b\\/c/')) == (('"a"', "/", 2), "=~", "/b/c/")


# -- comments ----------------------------------------------------------------------------


def test_comments_are_kept_and_attached_to_the_next_token():
    program = parse("// one\n//two\n\n//   three\nstream // four\n    |from()\n// end\n")
    first, second, last = program.comments
    assert first.lines == ("one", "two", "\n", "  three")
    assert first.text == "one\ntwo\n\n\n  three"
    assert (first.pos, first.anchor) == ((1, 1), (5, 1))
    assert (second.lines, second.anchor) == (("four",), (6, 5))
    assert (last.lines, last.anchor) == (("end",), None)


def test_slashes_inside_strings_and_regexes_are_not_comments():
    program = parse("var a = 'http://x' var b = /a\\/\\/b/")
    assert program.comments == ()
    assert program.statements[1].value.pattern == "a//b"


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "line", "column", "message"),
    [
        ("stream\n    |from()\n        .measurement('cpu)", 3, 22, "unterminated string"),
        ("var s = '''never closed", 1, 11, "unterminated string"),
        ('stream|from().where(lambda: "host == 1)', 1, 29, "unterminated field reference"),
        ("var r = /abc", 1, 9, "unterminated regex"),
        ("stream|window().period(1m30s)", 1, 26, "invalid duration 1m30s: compound durations"),
        ("stream|window()\n  .period(10x)", 2, 13, "invalid duration 10x: a duration is an integer"),
        ("var d = 1.5s", 1, 12, "invalid duration 1.5s"),
        ("var d = 1mx", 1, 11, "invalid duration 1mx"),
        ('stream|where(lambda "x" > 1)', 1, 21, "missing ':' after lambda"),
        ("var x = 08", 1, 9, "illegal number syntax: '08'"),
        ("var x = 99999999999999999999", 1, 9, "out of range"),
        ("var x = /[a/", 1, 9, "invalid regex /[a/"),
        ("var x foo", 1, 7, "invalid var type 'foo'"),
        ("stream|eval(lambda: f(['a']))", 1, 23, "a list cannot appear inside a lambda expression"),
        ("stream|eval(lambda: f(lambda: 1))", 1, 23, "a lambda cannot appear inside a lambda expression"),
        ("stream # no", 1, 8, "unexpected character '#'"),
        ("stream|from(", 1, 13, "unexpected end of script, expected an expression or ')'"),
        ("var x = ", 1, 8, "unexpected end of script, expected an expression"),
        ("var x = 5 6", 1, 11, "unexpected number '6'"),
        ("stream|from().x('a' 'b')", 1, 21, "unexpected string \"'b'\", expected an operator, ')' or ','"),
        ("stream|from().x(1,,)", 1, 19, "unexpected ',', expected an expression or ')'"),
        ("dbrp 'db'.'rp'", 1, 6, "expected field reference"),
        ("stream|(x)", 1, 8, "unexpected '('"),
    ],
)
def test_syntax_errors(script, line, column, message):
    err = syntax_error(script)
    assert (err.line, err.column) == (line, column)
    assert message in err.message
    assert str(err).startswith(f"line {line} char {column}: ")


def test_syntax_errors_are_tick_errors():
    assert issubclass(TickSyntaxError, TickError)


def test_lambda_body_errors():
    with pytest.raises(TickSyntaxError) as info:
        parse_lambda('"value" >')
    assert "unexpected end of script" in info.value.message
