"""Durations in TICKscript literals, InfluxQL strings and Go's notation."""

from __future__ import annotations

import pytest

from leyden.tick import (
    format_duration_literal,
    format_go_duration,
    parse_api_duration,
    parse_duration_literal,
    parse_go_duration,
    parse_influxql_duration,
)

S = 10**9


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("10s", 10 * S),
        ("5u", 5_000),
        ("5µ", 5_000),
        ("250ms", S // 4),
        ("2w", 14 * 86_400 * S),
        (" -3m ", -180 * S),
    ],
)
def test_literal(text, ns):
    assert parse_duration_literal(text) == ns


@pytest.mark.parametrize("text", ["1m30s", "10", "s", "5ns", "5us", "1.5s", ""])
def test_literal_is_one_integer_and_one_unit(text):
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration_literal(text)


def test_api_durations_also_take_nanoseconds_and_us():
    assert parse_api_duration("7ns") == 7
    assert parse_api_duration("3us") == 3_000
    assert parse_api_duration("-2h") == -7200 * S
    with pytest.raises(ValueError, match="invalid duration"):
        parse_api_duration("1h30m")


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "0s"),
        (90 * S, "90s"),
        (3600 * S, "1h"),
        (14 * 86_400 * S, "2w"),
        (1_500, "1500ns"),
        (-2_000, "-2u"),
    ],
)
def test_literal_format_uses_the_largest_unit_that_divides(ns, text):
    assert format_duration_literal(ns) == text
    if not text.endswith("ns"):
        assert parse_duration_literal(text) == ns


@pytest.mark.parametrize(
    ("text", "ns"),
    [("1h30m", 5400 * S), ("-250ms", -S // 4), ("1w1d", 8 * 86_400 * S), ("3us2ns", 3_002), ("5µs", 5_000)],
)
def test_influxql_compound(text, ns):
    assert parse_influxql_duration(text) == ns


@pytest.mark.parametrize("text", ["", "s", "5", "1.5s", "+5s", "5 parsecs", "-"])
def test_influxql_rejects(text):
    with pytest.raises(ValueError, match="invalid duration string"):
        parse_influxql_duration(text)


@pytest.mark.parametrize(
    ("text", "ns"),
    [("10s", 10 * S), ("1m30s", 90 * S), ("1.5h", 5400 * S), ("0", 0), ("-.5s", -S // 2), ("2μs", 2_000)],
)
def test_go_parse(text, ns):
    assert parse_go_duration(text) == ns


@pytest.mark.parametrize("text", ["", "10", "1d", "ten s", "s"])
def test_go_parse_rejects(text):
    with pytest.raises(ValueError, match="invalid duration"):
        parse_go_duration(text)


@pytest.mark.parametrize(
    ("ns", "expected"),
    [
        (0, "0s"),
        (2, "2ns"),
        (1_500, "1.5µs"),
        (250_000_000, "250ms"),
        (10**9, "1s"),
        (90 * 10**9, "1m30s"),
        (3600 * 10**9, "1h0m0s"),
        (3723_500_000_000, "1h2m3.5s"),
        (-61 * 10**9, "-1m1s"),
    ],
)
def test_go_string(ns, expected):
    assert format_go_duration(ns) == expected
