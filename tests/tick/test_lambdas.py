"""The lambda compiler: Kapacitor 1.5's typing, references, scope and the selector.

Expectations are worked out by hand from Kapacitor's rules or taken from the
conformance corpus (eval-*, where-* cases), whose points are rebuilt here.
"""

from __future__ import annotations

import math
import re

import pytest

from leyden.kernel import Duration, FunctionSpec, Point, PointError, TickError, ValueType
from leyden.tick import LType, Time
from leyden.tick.functions import builtin_functions
from leyden.tick.lambdas import CompiledLambda, compile_lambda
from leyden.tick.parser import parse_lambda

FUNCTIONS = {spec.name: spec for spec in builtin_functions()}
SECOND = 1_000_000_000


def compiled(text: str, scope=None, functions=FUNCTIONS) -> CompiledLambda:
    return compile_lambda(parse_lambda(text), scope=scope, functions=functions)


def evaluate(text: str, point: Point, scope=None):
    return compiled(text, scope).evaluator()(point)


def error_of(text: str, point: Point) -> str:
    with pytest.raises(PointError) as caught:
        evaluate(text, point)
    return str(caught.value)


def pt(fields=None, tags=None, time=0) -> Point:
    return Point("m", tags or {}, fields or {}, time)


# The three points of the eval-* conformance cases.
WEB = pt(
    {"x": 7, "y": 2, "f": 2.5, "g": -4.0, "s": "  Hello World  ", "b": True},
    {"host": "Web-01", "dc": "x"},
    1577836800 * SECOND,
)
DB = pt(
    {"x": -9, "y": 4, "f": 0.5, "g": 16.0, "s": "abc", "b": False},
    {"host": "db-2", "dc": "y"},
    1577840470 * SECOND,
)
Z = pt(
    {"x": 0, "y": 1, "f": 1.0, "g": 1.0, "s": "z", "b": True},
    {"host": "Web-01", "dc": "x"},
    1577844000 * SECOND,
)
CASE_POINTS = (WEB, DB, Z)


def column(text: str) -> list:
    ev = compiled(text).evaluator()
    return [ev(p) for p in CASE_POINTS]


# -- conformance expectations --------------------------------------------------------------


def test_eval_arithmetic_float_case():
    assert column('"f" * 2.0 + 1.0') == [6.0, 2.0, 3.0]
    assert column('("f" - "g") / 4.0') == [1.625, -3.875, 0.0]
    assert column('-"g"') == [4.0, -16.0, -1.0]
    assert column('"f" * "f" * "f"') == [15.625, 0.125, 1.0]


def test_eval_comparison_case():
    assert column('"f" > 1.0') == [True, False, False]
    assert column('"x" <= 0') == [False, True, True]
    assert column("\"s\" == 'abc'") == [False, True, False]
    assert column('"f" != "g"') == [True, True, False]


def test_eval_logical_case():
    assert column('"b" AND "f" > 1.0') == [True, False, False]
    assert column('"b" OR "x" > 100') == [True, False, True]
    assert column('!"b"') == [False, True, False]


def test_eval_regex_case():
    assert column('"host" =~ /^[Ww]eb-\\d+/') == [True, False, True]
    assert column('"dc" !~ /x/') == [False, True, False]
    assert column('"s" =~ /(?i)hello/') == [True, False, False]


def test_eval_if_case():
    assert column("if(\"f\" > 1.0, 'big', 'small')") == ["big", "small", "small"]
    assert column('if("b", "x", 0 - "x")') == [7, 9, 0]


def test_where_logical_case():
    where = compiled('("host" == \'a\' AND "value" < 4) OR "region" == \'eu\' OR "value" >= 100').selector()
    rows = [
        ("a", "us", 1.5),
        ("a", "us", 7.0),
        ("a", "us", 3.0),
        ("b", "eu", 8.0),
        ("a", "us", 100.0),
    ]
    points = [pt({"value": v}, {"host": h, "region": r}) for h, r, v in rows]
    kept, errors = where(points)
    assert [p.fields["value"] for p in kept] == [1.5, 3.0, 8.0, 100.0]
    assert errors == 0


def test_where_bool_field_and_negation_case():
    points = [pt({"ok": ok, "n": n}) for ok, n in ((True, 1), (False, 2), (True, 3), (True, 4))]
    kept, _ = compiled('"ok" == TRUE').selector()(points)
    kept, _ = compiled('!("n" == 3)').selector()(kept)
    assert [p.fields["n"] for p in kept] == [1, 4]


def test_computed_float_field_compared_with_int_literal():
    # tick-lambda-duration-compare: stateDuration's float output against 20
    kept, errors = compiled('"state_duration" >= 20').selector()(
        [pt({"state_duration": v}) for v in (10.0, 20.0, 30.0)]
    )
    assert [p.fields["state_duration"] for p in kept] == [20.0, 30.0]
    assert errors == 0


# -- references ------------------------------------------------------------------------------


def test_fields_then_tags_then_time():
    p = pt({"value": 1.5}, {"host": "a"}, 42)
    assert evaluate('"value"', p) == 1.5
    assert evaluate('"host"', p) == "a"
    t = evaluate('"time"', p)
    assert type(t) is Time and t == 42


def test_missing_reference_is_a_point_error():
    assert 'no field or tag exists for "nope"' in error_of('"nope" > 1', pt({"value": 1}))


def test_field_and_tag_with_the_same_name_is_an_error():
    assert "same name" in error_of("\"host\" == 'a'", pt({"host": "a"}, {"host": "a"}))


def test_references_lists_fields_and_tags_not_time():
    lam = compiled('"a" > 1 AND isPresent("b") AND hour("time") > 2')
    assert lam.references == frozenset({"a", "b"})


def test_field_names_with_quotes_and_spaces():
    p = pt({"my field": 1.0, 'weird"name': 3.0})
    assert evaluate('"my field" + 1.0', p) == 2.0
    assert evaluate('"weird\\"name" * 2.0', p) == 6.0


# -- arithmetic --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7 / 2", 3),
        ("-7 / 2", -3),
        ("-9 % 4", -1),
        ("9 % -4", 1),
        ("7.0 / 2.0", 3.5),
        ("'ab' + 'cd'", "abcd"),
        ("2 * 3 + 1", 7),
    ],
)
def test_static_arithmetic(text, expected):
    result = evaluate(text, pt())
    assert result == expected and type(result) is type(expected)


MAX_INT64 = (1 << 63) - 1
MIN_INT64 = -(1 << 63)


@pytest.mark.parametrize(
    ("text", "fields", "expected"),
    [
        ('"x" + 1', {"x": MAX_INT64}, MIN_INT64),
        ('"x" - 1', {"x": MIN_INT64}, MAX_INT64),
        ('"x" * 2', {"x": MAX_INT64}, -2),
        ('"x" / -1', {"x": MIN_INT64}, MIN_INT64),
        ('-"x"', {"x": MIN_INT64}, MIN_INT64),
        ('"x" + "y"', {"x": MAX_INT64, "y": MAX_INT64}, -2),
        ("9223372036854775807 + 1", {}, MIN_INT64),
    ],
)
def test_int_arithmetic_wraps_around_at_64_bits_like_go(text, fields, expected):
    assert evaluate(text, pt(fields)) == expected


def test_duration_arithmetic_wraps_around_too():
    # 2,562,048 hours is just past the largest int64 of nanoseconds
    assert evaluate('"x" * 1h', pt({"x": 2_562_048})) == Duration(-9_223_371_273_709_551_616)


def test_integer_arithmetic_on_fields_truncates_like_go():
    p = pt({"a": -7, "b": 2})
    assert evaluate('"a" / "b"', p) == -3
    assert evaluate('"a" % "b"', p) == -1
    assert evaluate('"a" / 2', p) == -3


def test_int_plus_float_is_an_error_at_runtime():
    assert "mismatched type" in error_of('"x" + 1.0', pt({"x": 1}))
    assert "mismatched type" in error_of('"x" + "y"', pt({"x": 1, "y": 1.0}))


def test_int_plus_float_literals_is_a_compile_error_with_position():
    with pytest.raises(TickError) as caught:
        compiled("1 +\n 2.0")
    assert "mismatched type to binary operator. got int + float" in caught.value.message
    assert caught.value.line == 1 and caught.value.column == 1


def test_a_bool_is_not_a_number():
    assert "invalid" in error_of('"ok" + 1', pt({"ok": True}))
    assert "invalid" in error_of('"ok" < 1.0', pt({"ok": True}))
    assert "mismatched type" in error_of('"ok" == 1', pt({"ok": True}))


def test_integer_division_by_zero_is_a_point_error():
    assert "divide by zero" in error_of('"a" / 0', pt({"a": 1}))
    assert "divide by zero" in error_of('"a" % "b"', pt({"a": 1, "b": 0}))


def test_float_division_by_zero_follows_go():
    assert evaluate('"a" / 0.0', pt({"a": 1.0})) == math.inf
    assert evaluate('"a" / 0.0', pt({"a": -2.0})) == -math.inf
    assert math.isnan(evaluate('"a" / "b"', pt({"a": 0.0, "b": 0.0})))


def test_string_concatenation_and_comparison():
    p = pt({"s": "b"})
    assert evaluate("\"s\" + 'c'", p) == "bc"
    assert evaluate("\"s\" > 'a'", p) is True
    assert "mismatched" in error_of('"s" > 1', p)


def test_unary_minus_and_not():
    p = pt({"i": 3, "f": 1.5, "s": "x", "b": False})
    assert evaluate('-"i"', p) == -3
    assert evaluate('-"f"', p) == -1.5
    assert evaluate('!"b"', p) is True
    assert "unary" in error_of('-"s"', p)
    assert "boolean" in error_of('!"i"', p)
    with pytest.raises(TickError):
        compiled("-'x'")
    with pytest.raises(TickError):
        compiled("!1")


# -- durations and times ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10s + 5s", Duration(15 * SECOND)),
        ("10s - 15s", Duration(-5 * SECOND)),
        ("2 * 10s", Duration(20 * SECOND)),
        ("10s * 2", Duration(20 * SECOND)),
        ("1.5 * 10s", Duration(15 * SECOND)),
        ("10s / 4", Duration(2500 * 1_000_000)),
        ("10s / 4s", 2),
        ("-10s", Duration(-10 * SECOND)),
    ],
)
def test_duration_arithmetic(text, expected):
    result = evaluate(text, pt())
    assert result == expected and type(result) is type(expected)


def test_duration_comparisons():
    assert evaluate("90s > 1m", pt()) is True
    assert evaluate("60s == 1m", pt()) is True
    with pytest.raises(TickError):
        compiled("10s > 10")


def test_durations_from_scope_and_functions():
    scope = {"period": (ValueType.DURATION, 30 * SECOND)}
    assert evaluate('duration("secs", 1s) < period', pt({"secs": 20}), scope) is True
    assert evaluate('duration("secs", 1s) < period', pt({"secs": 40}), scope) is False


def test_time_supports_no_operators():
    with pytest.raises(TickError):
        compiled('"time" > 5')


# -- logical operators ------------------------------------------------------------------------


def test_and_or_short_circuit_skips_evaluation():
    lam = compiled("FALSE AND count() > 0 OR count() > 0")
    ev = lam.evaluator()
    assert [ev(pt()) for _ in range(3)] == [True, True, True]
    # only the second count() ran: had both, the shared counter would be at 6
    assert compiled("count() + count()").evaluator()(pt()) == 3


def test_skipped_operand_still_needs_its_fields():
    # Kapacitor type-checks the whole expression first: a missing name is an error
    # even where AND/OR would not evaluate it.
    assert 'no field or tag exists for "gone"' in error_of('isPresent("gone") AND "gone" > 5', pt({"x": 1}))
    assert evaluate('isPresent("x") AND "x" > 5', pt({"x": 9})) is True
    assert "no field" in error_of('"x" > 1 OR "y" > 1', pt({"x": 2}))
    assert evaluate('"x" > 1 OR "y" > 1', pt({"x": 2, "y": 0})) is True


def test_logical_operands_must_be_booleans():
    assert "boolean" in error_of('"x" AND TRUE', pt({"x": 1}))
    with pytest.raises(TickError):
        compiled("1 AND TRUE")


# -- scope --------------------------------------------------------------------------------------


def test_script_variables_are_inlined():
    scope = {
        "pattern": (ValueType.REGEX, re.compile("^a")),
        "factor": (ValueType.INT, 2),
        "offset": (ValueType.FLOAT, 0.5),
        "enabled": (ValueType.BOOL, True),
        "name": (ValueType.STRING, "a1"),
    }
    p = pt({"value": 3.0}, {"host": "a1"})
    assert evaluate('"host" =~ pattern', p, scope) is True
    assert evaluate('"value" * float(factor) + offset', p, scope) == 6.5
    assert evaluate("enabled", p, scope) is True
    assert evaluate('"host" == name', p, scope) is True


def test_lambda_variables_are_inlined():
    cond = compiled("\"host\" == 'a'")
    scope = {"cond": (ValueType.LAMBDA, cond), "raw": (ValueType.LAMBDA, parse_lambda('"v" > 1'))}
    lam = compiled("cond AND raw", scope)
    assert lam.evaluator()(pt({"v": 2}, {"host": "a"})) is True
    assert lam.references == frozenset({"host", "v"})
    assert lam.text == "cond AND raw"


def test_undefined_variable_is_a_compile_error():
    with pytest.raises(TickError) as caught:
        compiled('"x" > threshold')
    assert "undefined variable: threshold" in str(caught.value)
    assert (caught.value.line, caught.value.column) == (1, 7)


def test_list_variable_cannot_be_used():
    with pytest.raises(TickError):
        compiled('"x" == tags', {"tags": (ValueType.LIST, ["a"])})


# -- functions ------------------------------------------------------------------------------------


def test_unknown_function_and_wrong_arity_are_compile_errors():
    with pytest.raises(TickError, match='undefined function: "nope"'):
        compiled('nope("x")')
    with pytest.raises(TickError, match="sqrt expects 1"):
        compiled("sqrt(1.0, 2.0)")


def test_statically_wrong_argument_type_is_a_compile_error():
    with pytest.raises(TickError, match="cannot pass int as argument 1 to sqrt, must be float"):
        compiled("sqrt(4)")
    with pytest.raises(TickError, match="different return types"):
        compiled("if(TRUE, 1, 2.0)")


def test_function_results_are_typed_for_the_compiler():
    assert compiled('strLength("s") > 3').type is LType.BOOL
    assert compiled('strLength("s")').type is LType.INT
    assert compiled("if(TRUE, 1, 2)").type is LType.INT
    assert compiled('sigma("x")').type is LType.FLOAT


def test_third_party_function():
    double = FunctionSpec("double", lambda x: x * 2, (1,))
    lam = compiled('double("v") + 1', functions={**FUNCTIONS, "double": double})
    assert lam.evaluator()(pt({"v": 4})) == 9


def test_third_party_function_errors_become_point_errors():
    broken = FunctionSpec("broken", lambda x: 1 / 0, (1,))
    with pytest.raises(PointError):
        compiled('broken("v")', functions={**FUNCTIONS, "broken": broken}).evaluator()(pt({"v": 1}))


def test_stateful_functions_keep_state_per_evaluator():
    lam = compiled("count()")
    assert lam.stateful
    first, second = lam.evaluator(), lam.evaluator()
    assert [first(pt()) for _ in range(3)] == [1, 2, 3]
    assert second(pt()) == 1


def test_stateful_spread_matches_conformance_case():
    ev = compiled('spread("v")').evaluator()
    assert [ev(pt({"v": v})) for v in (5.0, 2.0, 8.0, 3.0, 1.0)] == [0.0, 3.0, 6.0, 6.0, 7.0]


# -- selector ---------------------------------------------------------------------------------------


def test_selector_keeps_matches_and_counts_errors():
    points = [
        pt({"value": 30.0}),
        pt({"value": 10.0}),
        pt({"other": 1.0}),
        pt({"value": "x"}),
        pt({"value": 26}),
    ]
    kept, errors = compiled('"value" > 25.0').selector()(points)
    assert kept == [points[0], points[4]]
    assert errors == 2


def test_selector_rejects_non_boolean_results_per_point():
    points = [pt({"ok": True}), pt({"ok": 1})]
    kept, errors = compiled('"ok"').selector()(points)
    assert kept == [points[0]] and errors == 1


def test_selector_of_a_non_boolean_lambda_is_refused():
    with pytest.raises(TickError, match="not a boolean"):
        compiled('"x" + 1').selector()


# -- mapper ----------------------------------------------------------------------------------------


def test_mapper_evaluates_a_chunk():
    values = compiled('"value" * 2.0').mapper()
    assert values([pt({"value": 1.5}), pt({"value": 2.0})]) == [3.0, 4.0]


@pytest.mark.parametrize(
    "points",
    [
        [pt({"value": 1.5}), pt({"other": 1.0})],
        [pt({"value": 1.5}), pt({"value": "x"})],
        [pt({"value": 1.5}), "not a point"],
    ],
)
def test_mapper_gives_up_on_a_chunk_that_fails_anywhere(points):
    assert compiled('"value" * 2.0').mapper()(points) is None


def test_mapper_of_a_lambda_reading_nothing_still_wants_points():
    assert compiled("1 + 1").mapper()([pt(), "not a point"]) is None


def test_stateful_lambdas_have_no_mapper():
    assert compiled("count()").mapper() is None


# -- cascade ----------------------------------------------------------------------------------------


def ladder(*texts: str, results=None):
    first, *lower = (compiled(t) for t in texts)
    return first.cascade(lower, results or [*range(len(texts), 0, -1), 0])


def test_cascade_gives_the_result_of_the_first_true_lambda():
    levels = ladder('"value" > 30.0', '"value" > 20.0', "\"host\" == 'a'")
    points = [pt({"value": v}, {"host": h}) for v, h in ((35.0, "b"), (25.0, "b"), (5.0, "a"), (5.0, "b"))]
    assert levels(points) == [3, 2, 1, 0]


def test_cascade_mixes_lambdas_from_different_scopes():
    first = compiled('"value" > limit', scope={"limit": (ValueType.FLOAT, 10.0)})
    second = compiled('"value" > limit', scope={"limit": (ValueType.FLOAT, 1.0)})
    levels = first.cascade([second], ["high", "low", "none"])
    assert levels([pt({"value": 20.0}), pt({"value": 5.0}), pt({"value": 0.5})]) == ["high", "low", "none"]


@pytest.mark.parametrize(
    "points",
    [
        [pt({"value": 35.0}), pt({"other": 1.0})],  # a missing field
        [pt({"value": 35.0}), pt({"value": "x"})],  # a type mismatch
        [pt({"value": 35.0}), "not a point"],
    ],
)
def test_cascade_gives_up_on_a_chunk_that_fails_anywhere(points):
    assert ladder('"value" > 30.0', '"value" > 20.0')(points) is None


def test_cascade_of_lambdas_reading_nothing_still_wants_points():
    assert ladder("TRUE", "FALSE")([pt(), "not a point"]) is None


def test_cascade_of_a_non_boolean_result_gives_up():
    assert ladder('"flag"', '"value" > 20.0')([pt({"flag": 1, "value": 1.0})]) is None


def test_cascade_of_a_stateful_lambda_is_not_built():
    assert ladder('"value" > 30.0', "count() > 2") is None


def test_cascade_wants_one_result_more_than_lambdas():
    with pytest.raises(ValueError, match="needs 3 results"):
        ladder('"value" > 30.0', '"value" > 20.0', results=[1, 0])


def test_stateful_selector():
    kept, errors = compiled("count() <= 2").selector()([pt() for _ in range(4)])
    assert len(kept) == 2 and errors == 0


def test_selector_on_empty_chunk():
    assert compiled('"value" > 1').selector()([]) == ([], 0)


# -- text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"value" > 10.0',
        '("host" == \'a\' AND "value" < 4) OR "region" == \'eu\'',
        '!("n" == 3)',
        "strReplace(\"s\", 'l', 'L', 2)",
        '"a" =~ /^x\\/y$/',
        "'it\\'s' + \"s\"",
        'duration("y", 1s) > 90s',
        '-"g" * 2',
    ],
)
def test_text_is_kapacitors_formatting(text):
    assert compiled(text).text == text


def test_text_normalises_numbers():
    assert compiled("10.50 + 1.0").text == "10.5 + 1.0"
    assert compiled("010 + 1").text == "010 + 1"


# -- Go regular expressions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regex", "value", "expected"),
    [
        ("^[[:digit:]]+\\z", "123", True),
        ("^[[:digit:]]+\\z", "123\n", False),
        ("^[[:alpha:][:space:]]+$", "ab cd", True),
        ("a\\Q.*\\E", "a.*", True),
        ("a\\Q.*\\E", "abc", False),
        ("[]a]", "]", True),
        ("^web\\/[0-9]", "web/1", True),
    ],
)
def test_go_regex_syntax(regex, value, expected):
    assert evaluate(f'"v" =~ /{regex}/', pt({"v": value})) is expected


def test_invalid_regex_is_a_compile_error():
    with pytest.raises(TickError, match="invalid regex"):
        compiled('"v" =~ /(unclosed/')


def test_long_or_chains_compile_flat():
    text = " OR ".join(f"\"host\" == 'h{i}'" for i in range(300))
    kept, errors = compiled(text).selector()([pt({}, {"host": "h299"}), pt({}, {"host": "x"})])
    assert [p.tags["host"] for p in kept] == ["h299"] and errors == 0


def test_chain_still_needs_the_names_of_skipped_operands():
    lam = compiled('"a" > 1 OR "b" > 1 OR "c" > 1')
    assert lam.evaluator()(pt({"a": 2, "b": 0, "c": 0})) is True
    with pytest.raises(PointError, match='"c"'):
        lam.evaluator()(pt({"a": 2, "b": 0}))
