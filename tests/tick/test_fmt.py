"""The formatter: Kapacitor's canonical layout, as its API returns scripts
(``script-format=formatted``), and a fixed point of itself."""

from __future__ import annotations

import json
import pathlib

import pytest

from leyden.kernel import TickSyntaxError
from leyden.tick import format, format_expression, parse_lambda

CONFORMANCE = pathlib.Path("/work/shared/conformance")


def test_the_transcript_task():
    # POST /kapacitor/v1/tasks sent this script; Kapacitor 1.5 answered with the second.
    sent = (
        "stream\n  |from().measurement('cpu')\n  |window().period(10s).every(10s)\n"
        "  |count('value')\n  |httpOut('c')\n"
    )
    assert format(sent) == (
        "stream\n    |from()\n        .measurement('cpu')\n    |window()\n        .period(10s)\n"
        "        .every(10s)\n    |count('value')\n    |httpOut('c')\n"
    )


def test_the_transcript_template():
    sent = (
        "var m = 'cpu'\nvar p = 10s\nstream\n  |from().measurement(m)\n  |window().period(p).every(p)\n"
        "  |mean('value')\n  |httpOut('m')\n"
    )
    assert format(sent) == (
        "var m = 'cpu'\n\nvar p = 10s\n\nstream\n    |from()\n        .measurement(m)\n    |window()\n"
        "        .period(p)\n        .every(p)\n    |mean('value')\n    |httpOut('m')\n"
    )


@pytest.mark.parametrize(
    ("script", "formatted"),
    [
        ("var x=1", "var x = 1\n"),
        ("var x=1.50", "var x = 1.5\n"),
        ("var x=2.", "var x = 2.0\n"),
        ("var x=0.0000001", "var x = 0.0000001\n"),
        ("var x=10000000000000000.0", "var x = 10000000000000000.0\n"),
        ("var x=0644", "var x = 0644\n"),
        ("var x=90000ms", "var x = 90000ms\n"),
        ("var x=TRUE", "var x = TRUE\n"),
        (r"var x='it\'s'", "var x = 'it\\'s'\n"),
        ("var x='''it's\n\"raw\"'''", "var x = '''it's\n\"raw\"'''\n"),
        (r"var x=/a\/b/", "var x = /a\\/b/\n"),
        ("var x=[ 'a',b , * ]", "var x = ['a', b, *]\n"),
        ("var x=*", "var x = *\n"),
        ("var x string", "var x string\n"),
        ('dbrp  "db" . "rp"', 'dbrp "db"."rp"\n'),
        ("var x = -  5", "var x = -5\n"),
        ('var l = lambda:"a\\"b">1 AND !("c"<2)', 'var l = lambda: "a\\"b" > 1 AND !("c" < 2)\n'),
    ],
)
def test_literals_and_statements(script, formatted):
    assert format(script) == formatted


def test_statements_are_separated_by_blank_lines():
    assert (
        format("var a = 1 var b = 2\n\n\n\nstream|from()")
        == "var a = 1\n\nvar b = 2\n\nstream\n    |from()\n"
    )


def test_chains_indent_four_for_nodes_and_eight_for_properties():
    script = "var x = stream|from().measurement('a')@udf().opt(1)|alert().log('/tmp/a').mode(0644)"
    assert format(script) == (
        "var x = stream\n    |from()\n        .measurement('a')\n    @udf()\n        .opt(1)\n"
        "    |alert()\n        .log('/tmp/a')\n        .mode(0644)\n"
    )


def test_bare_properties_stay_bare():
    assert format("stream|window().align") == "stream\n    |window()\n        .align\n"


def test_parentheses_are_kept_only_around_binary_expressions():
    assert format_lambda('((("a" + (1))) * ("b")) / -(2)') == '(("a" + 1) * "b") / -2'
    assert format_lambda('sigma(("value")) > (3.0)') == 'sigma("value") > 3.0'


def format_lambda(text: str) -> str:
    return format_expression(parse_lambda(text).expr)


def test_binary_operands_on_several_lines_stay_on_several_lines():
    # continuation lines take the indentation of the function's arguments
    script = 'stream|where(lambda: "a" > 1 AND\n"b" < 2 OR\n("c" == 3\nAND "d" == 4))'
    assert format(script) == (
        'stream\n    |where(lambda: "a" > 1 AND\n        "b" < 2 OR\n'
        '        ("c" == 3 AND\n            "d" == 4))\n'
    )


def test_arguments_on_several_lines_stay_on_several_lines():
    script = "stream|eval(lambda: \"a\" * 2,\n   lambda: \"b\",)\n  .as('x', 'y')"
    assert format(script) == (
        'stream\n    |eval(\n        lambda: "a" * 2,\n        lambda: "b"\n    )\n'
        "        .as('x', 'y')\n"
    )


def test_comments_go_above_the_token_they_precede():
    script = (CONFORMANCE / "cases/tick-comments/task.tick").read_text()
    assert format(script) == (
        "// leading comment\n"
        "stream\n"
        "    // trailing comment\n"
        "    // comment between nodes\n"
        "    |from()\n"
        "        // comment between properties\n"
        "        .measurement('cpu')\n"
        "    // after a property\n"
        "    |window()\n"
        "        .period(10m)\n"
        "        .every(10m)\n"
        "        .align()\n"
        "    // before the output\n"
        "    |httpOut('out')\n"
    )


def test_comment_blocks_keep_their_blank_lines_and_indentation():
    script = "// title\n\n//   indented\n//tight\n//\nvar x = 1 // on x?\nvar y = 2\n// the end\n"
    # A comment belongs to the next token: "on x?" is written above `var y`.
    assert format(script) == (
        "// title\n\n//   indented\n// tight\n//\nvar x = 1\n\n// on x?\nvar y = 2\n\n// the end\n\n"
    )


def test_comments_inside_arguments_put_them_on_lines_of_their_own():
    script = "stream|udf()\n  .opt(\n    // one\n    1,\n    // two\n    'b',\n  )"
    assert format(script) == (
        "stream\n    |udf()\n        .opt(\n            // one\n            1,\n            // two\n"
        "            'b'\n        )\n"
    )


def test_a_comment_before_parentheses_goes_to_what_they_enclose():
    script = 'stream|where(lambda:\n// why\n("a" > 1) AND TRUE)'
    # arguments are indented one step past their function, whether on new lines or not
    assert format(script) == 'stream\n    |where(lambda: \n        // why\n        ("a" > 1) AND TRUE)\n'


def test_syntax_errors_are_reported():
    with pytest.raises(TickSyntaxError):
        format("stream|from(")


def scripts() -> list[pathlib.Path]:
    return sorted(CONFORMANCE.glob("*cases/*/task.tick"))


@pytest.mark.parametrize("path", scripts(), ids=lambda p: p.parent.name)
def test_formatting_is_a_fixed_point(path):
    script = path.read_text()
    try:
        once = format(script)
    except TickSyntaxError:
        assert json.loads((path.parent / "case.json").read_text()).get("expect_error")
        return
    assert format(once) == once


EXTRA = [
    "var a = 0644\nvar b = 1.0\nvar c = 'x\\'y'\nvar d = /\\/+/\n"
    "var e = ['a', *]\nvar f = lambda: -\"x\" % 2",
    '// c1\n\n// c2\nstream // c3\n|from() // c4\n.where(lambda:\n// c5\n"a" >\n1)\n// c6\n',
    "global(lambda:\n(1 + 2)\n<\n(sin(3))\nAND\n(TRUE\nOR (FALSE\nAND TRUE)))",
    "x|f(\n  // a\n  [b, 'c'],\n  lambda: 1\n)",
]


@pytest.mark.parametrize("script", EXTRA)
def test_tricky_layouts_are_fixed_points(script):
    once = format(script)
    assert format(once) == once
