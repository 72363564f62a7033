"""Kapacitor 1.5's built-in lambda functions, called through compiled lambdas.

Expected values follow Go's standard library (strconv, strings, math, time) and
go-humanize, as Kapacitor uses them; humanBytes and the time functions also match the
eval-humanbytes-duration and eval-time-functions conformance cases.
"""

from __future__ import annotations

import math
import time

import pytest

from leyden.kernel import Duration, Point, PointError, TickError
from leyden.tick import Time
from leyden.tick.functions import builtin_functions
from leyden.tick.lambdas import compile_lambda
from leyden.tick.parser import parse_lambda

FUNCTIONS = {spec.name: spec for spec in builtin_functions()}
SECOND = 1_000_000_000

KAPACITOR_FUNCTIONS = [
    "bool",
    "int",
    "float",
    "string",
    "duration",
    "isPresent",
    "if",
    "abs",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "cbrt",
    "ceil",
    "cos",
    "cosh",
    "erf",
    "erfc",
    "exp",
    "exp2",
    "expm1",
    "floor",
    "gamma",
    "hypot",
    "j0",
    "j1",
    "jn",
    "log",
    "log10",
    "log1p",
    "log2",
    "logb",
    "max",
    "min",
    "mod",
    "pow",
    "pow10",
    "sin",
    "sinh",
    "sqrt",
    "tan",
    "tanh",
    "trunc",
    "y0",
    "y1",
    "yn",
    "strContains",
    "strContainsAny",
    "strCount",
    "strHasPrefix",
    "strHasSuffix",
    "strIndex",
    "strIndexAny",
    "strLastIndex",
    "strLastIndexAny",
    "strLength",
    "strReplace",
    "strSubstring",
    "strToLower",
    "strToUpper",
    "strTrim",
    "strTrimLeft",
    "strTrimPrefix",
    "strTrimRight",
    "strTrimSpace",
    "strTrimSuffix",
    "regexReplace",
    "humanBytes",
    "minute",
    "hour",
    "weekday",
    "day",
    "month",
    "year",
    "unixNano",
    "now",
    "sigma",
    "count",
    "spread",
]


def call(text: str, **fields):
    lam = compile_lambda(parse_lambda(text), functions=FUNCTIONS)
    return lam.evaluator()(Point("m", {}, fields, 1577836800 * SECOND))


def fails(text: str, **fields) -> str:
    with pytest.raises(PointError) as caught:
        call(text, **fields)
    return str(caught.value)


def test_every_kapacitor_function_is_registered(plugins):
    assert set(KAPACITOR_FUNCTIONS) <= set(plugins.functions)
    assert {name for name, spec in plugins.functions.items() if spec.stateful} >= {"sigma", "count", "spread"}


# -- conversions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bool('t')", True),
        ("bool('FALSE')", False),
        ("bool(1)", True),
        ("bool(0.0)", False),
        ("int(-2.7)", -2),
        ("int('-12')", -12),
        ("int(TRUE)", 1),
        ("int(10s)", 10 * SECOND),
        ("float(3)", 3.0),
        ("float('1.5')", 1.5),
        ("float(FALSE)", 0.0),
        ("string(7)", "7"),
        ("string(1.5)", "1.5"),
        ("string(2.0)", "2"),
        ("string(0.000001)", "0.000001"),
        ("string(TRUE)", "true"),
        ("string(90s)", "90s"),
        ("string(14d)", "2w"),
        ("string(1500ms)", "1500ms"),
    ],
)
def test_conversions(text, expected):
    result = call(text)
    assert result == expected and type(result) is type(expected)


def test_string_of_large_and_small_floats_has_no_exponent():
    assert call('string("v")', v=1e21) == "1000000000000000000000"
    assert call('string("v")', v=1.5e-7) == "0.00000015"


@pytest.mark.parametrize(
    "text",
    ["bool('yes')", "bool(2)", "int(' 12')", "int('1_000')", "int('99999999999999999999')", "float('1,5')"],
)
def test_conversion_errors(text):
    with pytest.raises(PointError):
        call(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("duration('1h30m')", Duration(5400 * SECOND)),
        ("duration('-250ms')", Duration(-250_000_000)),
        ("duration(2, 1m)", Duration(120 * SECOND)),
        ("duration(1.5, 1s)", Duration(1_500_000_000)),
        ("duration(5s)", Duration(5 * SECOND)),
    ],
)
def test_duration_conversion(text, expected):
    result = call(text)
    assert result == expected and type(result) is Duration


def test_duration_of_a_number_needs_a_unit():
    assert "unit" in fails("duration(5)")
    assert "invalid duration" in fails("duration('5 parsecs')")


def test_duration_field_conformance_case():
    # eval-humanbytes-duration: duration("y", 1s) with y=90i is 90 s, nanoseconds in JSON
    assert call('duration("y", 1s)', y=90) == 90 * SECOND


# -- isPresent and if -------------------------------------------------------------------------


def test_is_present():
    assert call('isPresent("a")', a=1) is True
    assert call('isPresent("b")', a=1) is False
    assert call('isPresent("time")') is True


def test_if_needs_a_boolean_and_equal_types():
    assert call('if("c", 1, 2)', c=False) == 2
    assert "condition" in fails('if("c", 1, 2)', c=1)
    assert "Different return types" in fails('if(TRUE, "a", "b")', a=1, b=1.0)


# -- math -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abs(-4.0)", 4.0),
        ("sqrt(16.0)", 4.0),
        ("pow(2.0, 10.0)", 1024.0),
        ("floor(-0.5)", -1.0),
        ("ceil(0.2)", 1.0),
        ("trunc(-2.7)", -2.0),
        ("mod(7.0, 2.5)", 2.0),
        ("mod(-7.0, 2.5)", -2.0),
        ("min(2.5, -4.0)", -4.0),
        ("max(2.5, -4.0)", 2.5),
        ("exp(0.0)", 1.0),
        ("log(1.0)", 0.0),
        ("log2(8.0)", 3.0),
        ("logb(8.0)", 3.0),
        ("pow10(3)", 1000.0),
        ("pow10(-400)", 0.0),
        ("hypot(3.0, 4.0)", 5.0),
        ("atan2(0.0, -1.0)", math.pi),
    ],
)
def test_math(text, expected):
    assert call(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sqrt(-1.0)", math.nan),
        ("log(0.0)", -math.inf),
        ("log(-1.0)", math.nan),
        ("log1p(-1.0)", -math.inf),
        ("atanh(1.0)", math.inf),
        ("exp(1000.0)", math.inf),
        ("sinh(-1000.0)", -math.inf),
        ("gamma(0.0)", math.inf),
        ("gamma(-2.0)", math.nan),
        ("pow(0.0, -1.0)", math.inf),
        ("pow(-10.0, 1001.0)", -math.inf),
        ("mod(1.0, 0.0)", math.nan),
        ("pow10(400)", math.inf),
    ],
)
def test_math_returns_go_specials_instead_of_raising(text, expected):
    result = call(text)
    if math.isnan(expected):
        assert math.isnan(result)
    else:
        assert result == expected


# Reference values computed with mpmath at 30 digits.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("j0(1.0)", 0.7651976865579666),
        ("j1(2.5)", 0.49709410246427405),
        ("jn(3, 7.0)", -0.16755558799533424),
        ("jn(10, 1.0)", 2.6306151236874534e-10),
        ("jn(-3, -7.0)", -0.16755558799533424),
        ("j0(30.0)", -0.08636798358104021),
        ("y0(1.0)", 0.08825696421567696),
        ("y1(2.5)", 0.1459181379667858),
        ("yn(3, 7.0)", 0.26808060304231507),
        ("yn(2, 0.5)", -5.441370837174266),
        ("yn(10, 1.0)", -121618014.27868919),
        ("y0(30.0)", -0.11729573168666403),
    ],
)
def test_bessel_functions(text, expected):
    assert call(text) == pytest.approx(expected, rel=1e-13)


def test_bessel_special_values_follow_go():
    assert call("yn(1, 0.0)") == -math.inf
    assert math.isnan(call("y0(-1.0)"))
    assert call("jn(2, 0.0)") == 0.0
    with pytest.raises(TickError):
        compile_lambda(parse_lambda("jn(2.0, 1.0)"), functions=FUNCTIONS)


def test_ceil_keeps_negative_zero_as_go_does():
    assert math.copysign(1, call("ceil(-0.5)")) == -1


def test_math_wants_floats():
    with pytest.raises(TickError):
        compile_lambda(parse_lambda("abs(1)"), functions=FUNCTIONS)
    assert "must be float" in fails('abs("v")', v=1)


def test_min_max_with_nan():
    assert math.isnan(call('max("a", 1.0)', a=math.nan))
    assert math.isnan(call('min(-1.0, "a")', a=math.nan))
    assert call("min(-1.0, 2.0)") == -1.0


# -- strings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("strContains('seafood', 'foo')", True),
        ("strContainsAny('failure', 'ui')", True),
        ("strContainsAny('foo', '')", False),
        ("strCount('cheese', 'e')", 3),
        ("strCount('five', '')", 5),
        ("strHasPrefix('Web-01', 'Web')", True),
        ("strHasSuffix('Web-01', '01')", True),
        ("strIndex('chicken', 'ken')", 4),
        ("strIndex('chicken', 'dmr')", -1),
        ("strIndexAny('golang', 'ny')", 4),
        ("strLastIndex('go gopher', 'go')", 3),
        ("strLastIndexAny('go gopher', 'ordent')", 8),
        ("strLength('  Hello World  ')", 15),
        ("strReplace('oink oink oink', 'k', 'ky', 2)", "oinky oinky oink"),
        ("strReplace('oink oink oink', 'oink', 'moo', -1)", "moo moo moo"),
        ("strSubstring('Hello World', 0, 3)", "Hel"),
        ("strToLower('Web-01')", "web-01"),
        ("strToUpper('  Hello World  ')", "  HELLO WORLD  "),
        ("strTrim('xxhixx', 'x')", "hi"),
        ("strTrimLeft('xxhixx', 'x')", "hixx"),
        ("strTrimRight('xxhixx', 'x')", "xxhi"),
        ("strTrimPrefix('xxhixx', 'x')", "xhixx"),
        ("strTrimSuffix('a.go', '.go')", "a"),
        ("strTrimSpace('\t Hello World \n')", "Hello World"),
    ],
)
def test_strings(text, expected):
    assert call(text) == expected


def test_string_lengths_and_indexes_count_utf8_bytes():
    assert call("strLength('héllo')") == 6
    assert call("strIndex('héllo', 'l')") == 3
    assert call("strSubstring('héllo', 1, 3)") == "é"


def test_str_substring_range_errors_as_in_kapacitor():
    # eval-string-functions: 'abc' with stop 3 (== its length) is dropped
    assert "stop index too large" in fails("strSubstring('abc', 0, 3)")
    assert "negative index" in fails("strSubstring('abc', -1, 1)")
    assert "out of range" in fails("strSubstring('abcd', 2, 1)")


def test_go_upper_keeps_runes_without_a_single_uppercase():
    assert call("strToUpper('straße')") == "STRAßE"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("group is $1", "group is bbb"),
        ("[${1}]", "[bbb]"),
        ("$$1", "$1"),
        ("<$name>", "<bbb>"),
        ("$2$9", ""),
    ],
)
def test_regex_replace_expands_go_templates(template, expected):
    assert call(f"regexReplace(/a(?P<name>b*)c/, 'abbbc', '{template}')") == expected


def test_regex_replace_replaces_every_match():
    assert call("regexReplace(/o/, 'foo boo', '0')") == "f00 b00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, "5 B"), (5 * 1024, "5.1 kB"), (2048 * 1024, "2.1 MB"), (82854982, "83 MB"), (1000.0, "1.0 kB")],
)
def test_human_bytes(value, expected):
    assert call('humanBytes("v")', v=value) == expected


def test_human_bytes_refuses_strings():
    assert "humanBytes" in fails('humanBytes("v")', v="1")


# -- time ------------------------------------------------------------------------------------------


@pytest.fixture
def timezone(monkeypatch):
    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


def test_time_functions_conformance_case(timezone):
    timezone("UTC")
    point = Point("m", {}, {}, 1577840470 * SECOND)  # 2020-01-01T01:01:10Z, a Wednesday
    results = {
        name: compile_lambda(parse_lambda(f'{name}("time")'), functions=FUNCTIONS).evaluator()(point)
        for name in ("hour", "minute", "weekday", "day", "month", "year", "unixNano")
    }
    assert results == {
        "hour": 1,
        "minute": 1,
        "weekday": 3,
        "day": 1,
        "month": 1,
        "year": 2020,
        "unixNano": 1577840470 * SECOND,
    }


def test_time_functions_use_the_local_time_zone(timezone):
    timezone("Asia/Tokyo")
    assert call('hour("time")') == 9
    assert call('day("time")') == 1


def test_time_functions_want_times():
    with pytest.raises(TickError):
        compile_lambda(parse_lambda("hour(1)"), functions=FUNCTIONS)
    assert "time" in fails('hour("t")', t=5)


def test_now_is_the_wall_clock():
    before = time.time_ns()
    result = call("now()")
    assert type(result) is Time and before <= result <= time.time_ns()


# -- stateful --------------------------------------------------------------------------------------


def series(text: str, values):
    ev = compile_lambda(parse_lambda(text), functions=FUNCTIONS).evaluator()
    return [ev(Point("m", {}, {"v": v}, 0)) for v in values]


def test_count():
    assert series("count()", [1, 2, 3]) == [1, 2, 3]


def test_sigma():
    # mean and sample deviation after each value: 1; 1.5, 0.707; 2, 1 -> |3-2|/1
    result = series('sigma("v")', [1.0, 2.0, 3.0])
    assert result[0] == 0.0
    assert result[1] == pytest.approx(0.5 / math.sqrt(0.5))
    assert result[2] == pytest.approx(1.0)


def test_sigma_and_spread_want_floats():
    ev = compile_lambda(parse_lambda('spread("v")'), functions=FUNCTIONS).evaluator()
    with pytest.raises(PointError, match="not a float"):
        ev(Point("m", {}, {"v": 1}, 0))


@pytest.mark.parametrize(
    ("text", "fields", "message"),
    [
        ('sqrt("x")', {"x": 4}, "cannot pass int as first arg to sqrt, must be float"),
        ('hypot(3.0, "x")', {"x": "4"}, "cannot pass string as second arg to hypot, must be float"),
        ('jn("n", 1.0)', {"n": 1.5}, "cannot pass float as first arg to jn, must be int"),
        ('strLength("s")', {"s": True}, "cannot pass boolean as first arg to strLength, must be string"),
        (
            'strContains("s", "t")',
            {"s": "ab", "t": 1},
            "cannot pass int as second arg to strContains, must be string",
        ),
    ],
)
def test_arguments_of_the_wrong_type_at_run_time(text, fields, message):
    assert fails(text, **fields) == message
