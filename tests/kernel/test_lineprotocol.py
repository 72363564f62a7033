"""Line protocol parsing: the fast path, escapes, types, precisions and partial writes."""

from __future__ import annotations

import pytest

from leyden.kernel import Point, SeriesCache, format_point, parse_lines


def one(line: str, **kw) -> Point:
    points, errors = parse_lines(line, **kw)
    assert errors == []
    [point] = points
    return point


def test_plain_line():
    p = one("cpu,host=a,dc=x value=1.5,n=3i,ok=t,bad=F 1577836800", precision="s", dbrp=("db", "rp"))
    assert p.name == "cpu"
    assert list(p.tags.items()) == [("dc", "x"), ("host", "a")]  # sorted, as Kapacitor renders them
    assert p.fields == {"value": 1.5, "n": 3, "ok": True, "bad": False}
    assert type(p.fields["n"]) is int
    assert p.time == 1577836800 * 10**9
    assert p.dbrp == ("db", "rp")


@pytest.mark.parametrize(
    ("precision", "factor"),
    [("n", 1), ("ns", 1), ("u", 10**3), ("ms", 10**6), ("s", 10**9), ("m", 60 * 10**9), ("h", 3600 * 10**9)],
)
def test_precisions(precision, factor):
    assert one("m v=1 7", precision=precision).time == 7 * factor


def test_missing_timestamp_takes_now():
    assert one("m v=1", now_ns=42).time == 42


def test_escapes_and_strings():
    p = one(r'my\ meas,ta\,g=v\=1\ x f\ 1="a \"quoted\", string",g=2u 5')
    assert p.name == "my meas"
    assert p.tags == {"ta,g": "v=1 x"}
    assert p.fields == {"f 1": 'a "quoted", string', "g": 2}


def test_quote_in_a_field_key_is_part_of_the_key():
    assert one('m weird"name=3,s="a b" 1').fields == {'weird"name': 3.0, "s": "a b"}


def test_unsigned_and_special_values():
    assert one("m a=18446744073709551615u,b=-1.5e3,c=TRUE 1").fields == {
        "a": 18446744073709551615,
        "b": -1500.0,
        "c": True,
    }


def test_bad_lines_are_reported_and_good_lines_kept():
    data = "cpu value=1 1\ncpu value= 2\n\n# comment\ncpu,host value=3 3\ncpu 4\ncpu value=5 5\ncpu v=1 x\n"
    points, errors = parse_lines(data)
    assert [p.fields["value"] for p in points] == [1.0, 5.0]
    assert [e.line for e in errors] == [2, 5, 6, 8]
    assert "cpu value= 2" in str(errors[0]) and str(errors[0]).startswith("line 2:")


def test_series_share_name_and_tags():
    cache = SeriesCache()
    points, _ = parse_lines("cpu,host=a v=1 1\ncpu,host=a v=2 2\n", cache=cache)
    assert points[0].tags is points[1].tags


def test_invalid_precision():
    with pytest.raises(ValueError, match="precision"):
        parse_lines("m v=1 1", precision="x")


def test_format_round_trip():
    line = r'my\ m,a=1,b\,c=x\ y f="s \"q\"",i=3i,t=true,x=1.5 1000'
    p = one(line)
    assert format_point(p) == line
    assert format_point(p, "u") == line[: -len("1000")] + "1"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("m v=1x 1", "invalid field value '1x'"),
        ("m v=abci 1", "invalid field value 'abci'"),
        ("m v=9223372036854775808i 1", "integer 9223372036854775808i out of range"),
        ("m v=-1u 1", "unsigned integer -1u out of range"),
        ("m v=1 1e3", "invalid timestamp '1e3'"),
        ("m v=1 9223372036854775808", "timestamp 9223372036854775808 out of range"),
        ("m v=nan 1", "invalid number 'nan'"),
        ("m v=1e999 1", "invalid number '1e999'"),
        ("m v=1_000 1", "invalid field value '1_000'"),
        ("m v=1_0i 1", "invalid field value '1_0i'"),
        ("m v=1,w=2.5_0 1", "invalid field value '2.5_0'"),
        ("m v=1.2.3 1", "invalid field value '1.2.3'"),
    ],
)
def test_errors_say_what_is_wrong_in_the_users_terms(line, message):
    _, [error] = parse_lines(line)
    assert message in str(error) and "literal" not in str(error)


def test_int64_bounds_are_accepted():
    assert one("m a=9223372036854775807i,b=-9223372036854775808i 9223372036854775807").fields == {
        "a": 2**63 - 1,
        "b": -(2**63),
    }
