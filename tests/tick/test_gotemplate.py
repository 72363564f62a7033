"""The Go template subset: what Kapacitor's alert templates print, and what is refused.

Expected outputs are what Go's text/template and fmt print for the same input
(worked out by hand from Go's rules: %v of floats, map printing, time formats).
"""

from __future__ import annotations

import pytest

from leyden.kernel import PointError, TickError
from leyden.tick.gotemplate import (
    NO_VALUE,
    GoDuration,
    GoStruct,
    GoTime,
    StringMap,
    Template,
    TemplateExecError,
    TemplateParseError,
    format_float_shortest,
    go_json,
    sprintf,
)

T0 = 1577836810 * 10**9  # 2020-01-01T00:00:10Z


def alert_data(**changes):
    """Template data shaped like Kapacitor's messageInfo."""
    fields = {
        "Name": "cpu",
        "TaskName": "cpu_alert",
        "Group": "host=a",
        "Tags": StringMap(host="a", cpu="cpu0"),
        "ServerInfo": GoStruct("kapacitor.serverInfo", {"Hostname": "h", "ClusterID": "c", "ServerID": "s"}),
        "ID": "cpu:host=a",
        "Fields": {"value": 85.0, "count": 3, "state": "hot"},
        "Level": "CRITICAL",
        "Time": GoTime(T0),
        "Duration": GoDuration(90 * 10**9),
    }
    fields.update(changes)
    return GoStruct("kapacitor.messageInfo", fields)


def render(text: str, data=None, **kw) -> str:
    return Template.parse(text, **kw).render(alert_data() if data is None else data)


# -- Kapacitor's documented templates ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ .Name }}:{{ .Group }}", "cpu:host=a"),
        ("{{ .ID }} is {{ .Level }}", "cpu:host=a is CRITICAL"),
        ('kapacitor/{{ index .Tags "host" }}', "kapacitor/a"),
        ('{{ .ID }} is {{ .Level}} value: {{ index .Fields "value" }}', "cpu:host=a is CRITICAL value: 85"),
        (
            '{{ .ID }} is {{ if eq .Level "OK" }}alive{{ else }}dead{{ end }}: '
            '{{ index .Fields "count" | printf "%0.3f" }} points/10s.',
            "cpu:host=a is dead: %!f(int=3) points/10s.",
        ),
        ('{{ index .Fields "value" | printf "%0.3f" }}', "85.000"),
        ("{{ .TaskName }} on {{ .ServerInfo.Hostname }}", "cpu_alert on h"),
        ("{{ .ID }} for {{ .Duration }}", "cpu:host=a for 1m30s"),
        ("at {{ .Time }}", "at 2020-01-01 00:00:10 +0000 UTC"),
        ("{{ .Tags }} {{ .Fields }}", "map[cpu:cpu0 host:a] map[count:3 state:hot value:85]"),
        ("{{ .Tags.host }}/{{ .Fields.state }}", "a/hot"),
    ],
)
def test_kapacitor_templates(text, expected):
    assert render(text) == expected


# -- Go's printing of values -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (85.0, "85"),
        (0.5, "0.5"),
        (56.666666666666664, "56.666666666666664"),
        (123456.0, "123456"),
        (1e6, "1e+06"),
        (1234567.0, "1.234567e+06"),
        (1e21, "1e+21"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-2.5, "-2.5"),
        (0.0, "0"),
        (float("inf"), "+Inf"),
        (float("nan"), "NaN"),
    ],
)
def test_float_prints_like_go(value, expected):
    assert format_float_shortest(value) == expected
    assert render("{{ .V }}", {"V": value}) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (None, "<nil>"),
        ([1, 2.5, "a"], "[1 2.5 a]"),
        ({"b": 1, "a": [True]}, "map[a:[true] b:1]"),
        (GoStruct("x", {"A": 1, "B": "two"}), "{1 two}"),
        (GoDuration(1_500_000_000), "1.5s"),
    ],
)
def test_values_print_like_go(value, expected):
    assert render("{{ .V }}", {"V": value}) == expected


def test_missing_keys_and_fields():
    # a missing map key through a field is "<no value>"; through index it is the
    # map's zero value: "" for tags (map[string]string), nil for fields
    assert render("[{{ .Fields.nope }}]") == "[<no value>]"
    assert render('[{{ index .Fields "nope" }}]') == "[<nil>]"
    assert render('[{{ index .Tags "nope" }}]') == "[]"
    assert render("[{{ .Tags.nope }}]") == "[<no value>]"
    assert render("[{{ .Fields.nope.deeper }}]") == "[<no value>]"


def test_no_data():
    assert Template.parse("[{{ . }}|{{ .X }}|{{ $ }}]").render(None) == "[<no value>|<no value>|<no value>]"


def test_misspelt_struct_field_fails_at_render_and_check_catches_it_early():
    tmpl = Template.parse("{{ .Feilds }}", "message")
    with pytest.raises(TemplateExecError, match="can't evaluate field Feilds"):
        tmpl.render(alert_data())
    with pytest.raises(TemplateParseError, match="Feilds"):
        tmpl.check_fields({"Fields", "Tags"})
    Template.parse("{{ .Fields }} {{ $.Tags }}").check_fields({"Fields", "Tags"})


def test_exec_errors_are_point_errors():
    # the alert node drops the message and counts an error, as for a bad lambda
    assert issubclass(TemplateExecError, PointError)
    assert issubclass(TemplateParseError, TickError)


# -- time and duration methods ------------------------------------------------------------


def test_time_methods():
    t = GoTime(T0 + 123_456_789)
    data = {"T": t}
    assert render("{{ .T.Unix }} {{ .T.UnixNano }}", data) == f"{T0 // 10**9} {T0 + 123_456_789}"
    assert render("{{ .T.Year }}-{{ .T.Month }}-{{ .T.Day }} {{ .T.Weekday }}", data) == (
        "2020-January-1 Wednesday"
    )
    assert render('{{ .T.Format "2006-01-02T15:04:05.000Z07:00" }}', data) == "2020-01-01T00:00:10.123Z"
    assert render('{{ .T.Format "Jan _2 3:04:05.999999 PM MST" }}', data) == "Jan  1 12:00:10.123456 AM UTC"
    assert render("{{ .T }}", data) == "2020-01-01 00:00:10.123456789 +0000 UTC"


def test_duration_methods_and_arithmetic_kind():
    data = {"D": GoDuration(90 * 10**9)}
    assert render("{{ .D.Seconds }} {{ .D.Minutes }} {{ .D.Nanoseconds }}", data) == "90 1.5 90000000000"
    # a Duration is an integer for comparisons and %d
    assert render('{{ if gt .D 60000000000 }}long{{ end }} {{ printf "%d" .D }}', data) == "long 90000000000"


def test_methods_are_the_only_reachable_attributes():
    with pytest.raises(TemplateExecError, match="can't evaluate field ns"):
        render("{{ .T.ns }}", {"T": GoTime(0)})
    with pytest.raises(TemplateExecError, match="can't evaluate field __class__"):
        render("{{ .T.__class__ }}", {"T": GoTime(0)})


# -- control structures -------------------------------------------------------------------


def test_if_else_if_else():
    text = '{{ if eq .Level "OK" }}ok{{ else if eq .Level "CRITICAL" }}crit{{ else }}other{{ end }}'
    assert render(text) == "crit"
    assert render(text, alert_data(Level="OK")) == "ok"
    assert render(text, alert_data(Level="INFO")) == "other"


def test_truth():
    text = "{{ if .V }}y{{ else }}n{{ end }}"
    for value, expected in [(0, "n"), (0.0, "n"), ("", "n"), ([], "n"), ({}, "n"), (None, "n"), (False, "n")]:
        assert render(text, {"V": value}) == expected
    for value in (1, "x", [0], {"a": 1}, True, GoStruct("s", {})):
        assert render(text, {"V": value}) == "y"
    assert render(text, {}) == "n"  # a missing key is false


def test_range_over_slices_maps_and_ints():
    assert render("{{ range .V }}<{{ . }}>{{ end }}", {"V": [1, "b"]}) == "<1><b>"
    assert render("{{ range $i, $e := .V }}{{ $i }}={{ $e }} {{ end }}", {"V": ["a", "b"]}) == "0=a 1=b "
    assert render("{{ range $k, $v := .Tags }}{{ $k }}:{{ $v }},{{ end }}") == "cpu:cpu0,host:a,"
    assert render("{{ range .V }}x{{ else }}empty{{ end }}", {"V": []}) == "empty"
    assert render("{{ range 4 }}{{ . }}{{ end }}", {}) == "0123"


def test_range_break_continue():
    text = (
        "{{ range .V }}{{ if eq . 2 }}{{ continue }}{{ end }}"
        "{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}"
    )
    assert render(text, {"V": [1, 2, 3, 4, 5]}) == "13"


def test_with_and_else_with():
    assert render("{{ with .Tags.host }}host {{ . }}{{ end }}") == "host a"
    assert render("{{ with .Tags.nope }}x{{ else }}none{{ end }}") == "none"
    text = "{{ with .A }}a={{ . }}{{ else with .B }}b={{ . }}{{ else }}neither{{ end }}"
    assert render(text, {"B": 2}) == "b=2"
    assert render(text, {}) == "neither"


def test_variables_and_scope():
    assert render("{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}", {}) == "12"
    # a variable declared inside if is gone after end; assignment reaches outward
    assert render("{{ $x := 1 }}{{ if true }}{{ $x = 5 }}{{ $y := 3 }}{{ end }}{{ $x }}", {}) == "5"
    assert render("{{ range .V }}{{ $ := 0 }}{{ end }}{{ $.N }}", {"V": [1], "N": "root"}) == "root"
    assert render("{{ with .Tags }}{{ $.Name }}/{{ .host }}{{ end }}") == "cpu/a"
    assert render("{{ if $v := .Tags.host }}{{ $v }}{{ end }}") == "a"


def test_define_template_block():
    assert render('{{ define "T" }}[{{ . }}]{{ end }}{{ template "T" .Level }}') == "[CRITICAL]"
    assert render('{{ block "B" .Name }}<{{ . }}>{{ end }}!') == "<cpu>!"


def test_trim_markers_and_comments():
    assert render("a  {{- .Name -}}  b", {"Name": "x"}) == "axb"
    assert render("a {{/* note */}} b", {}) == "a  b"
    assert render("a \n {{- /* note */ -}} \n b", {}) == "ab"
    assert render("{{-3}}", {}) == "-3"  # no space after the dash: a negative number


# -- pipelines and functions ------------------------------------------------------------


def test_pipelines_pass_the_value_as_last_argument():
    assert render('{{ "x" | printf "%s-%s" "a" }}', {}) == "a-x"
    assert render('{{ index .Fields "value" | printf "%.1f" | len }}') == "4"
    assert render('{{ (index .Fields "value") }} {{ (.Tags).host }}') == "85 a"


def test_comparison_functions():
    cases = {
        '{{ eq .Level "CRITICAL" "OK" }}': "true",
        '{{ eq .Level "OK" "INFO" }}': "false",
        "{{ ne 1 2 }}": "true",
        "{{ lt 1 2 }} {{ le 2 2 }} {{ gt 1.5 2.5 }} {{ ge 3 3 }}": "true true false true",
        '{{ lt "a" "b" }}': "true",
        '{{ gt (index .Fields "value") 80.0 }}': "true",
        "{{ eq .Fields.nope nil }}": "true",
    }
    for text, expected in cases.items():
        assert render(text) == expected, text
    # Go refuses to compare an int with a float, or a bool with order
    with pytest.raises(TemplateExecError, match="incompatible types"):
        render('{{ gt (index .Fields "value") 80 }}')
    with pytest.raises(TemplateExecError, match="invalid type"):
        render("{{ lt true false }}")


def test_logic_functions_short_circuit():
    text = '{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 "" 3 }} {{ or 0 0 }} {{ not 0 }}'
    assert render(text, {}) == "0 2 3 0 true"
    # or stops at the first true value: the failing index is never evaluated
    assert render('{{ or 1 (index .Nope "x") }}', {}) == "1"


def test_len_index_slice():
    data = {"Tags": {"a": 1}, "S": "héllo", "L": [1]}
    assert render("{{ len .Tags }} {{ len .S }} {{ len .L }}", data) == "1 6 1"  # bytes, as Go
    assert render('{{ index .L 1 }} {{ index .M "k" 0 }}', {"L": [5, 6], "M": {"k": ["x"]}}) == "6 x"
    assert render("{{ slice .S 1 3 }} {{ slice .L 1 }}", {"S": "abcd", "L": [1, 2, 3]}) == "bc [2 3]"
    with pytest.raises(TemplateExecError, match="index out of range"):
        render("{{ index .L 5 }}", {"L": [1]})


def test_print_functions():
    assert render('{{ print 1 2 "a" "b" 3 }}', {}) == "1 2ab3"
    assert render('{{ println 1 "a" }}', {}) == "1 a\n"
    assert render('{{ printf "%s=%v" "k" 1.5 }}', {}) == "k=1.5"


def test_escaping_functions():
    assert render("{{ html \"<a href='x'>&</a>\" }}", {}) == "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"
    assert render('{{ js "it\'s <b>" }}', {}) == "it\\'s \\u003Cb\\u003E"
    assert render('{{ urlquery "a b&c=d/é" }}', {}) == "a+b%26c%3Dd%2F%C3%A9"


def test_json_function_writes_go_json_with_a_newline():
    out = render("{{ json .Fields }}")
    assert out == '{"count":3,"state":"hot","value":85}\n'
    assert render("{{ json .V }}", {"V": "<b>&"}) == '"\\u003cb\\u003e\\u0026"\n'


def test_literals():
    assert render("{{ 3 }} {{ 3.0 }} {{ 1e3 }} {{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 'a' }}", {}) == (
        "3 3 1000 31 15 15 97"
    )
    assert render('{{ "tab\\there" }}|{{ `raw\\n` }}|{{ "\\u00e9\\x41" }}', {}) == "tab\there|raw\\n|éA"
    assert render("{{ true }} {{ false }}", {}) == "true false"


def test_custom_functions():
    tmpl = Template.parse("{{ upper .Name }}", funcs={"upper": str.upper})
    assert tmpl.render({"Name": "cpu"}) == "CPU"


# -- html mode (Kapacitor's .details) -------------------------------------------------------


def test_html_mode_escapes_action_output_only():
    tmpl = Template.parse("<b>{{ .Message }}</b>", html=True)
    out = tmpl.render({"Message": "a<b & 'c' \"d\" +1"})
    assert out == "<b>a&lt;b &amp; &#39;c&#39; &#34;d&#34; &#43;1</b>"


def test_html_mode_json_is_escaped_like_kapacitors_default_details():
    tmpl = Template.parse("{{ json . }}", html=True)
    out = tmpl.render(GoStruct("d", {"Name": "cpu", "Value": 1.5}))
    assert out == "{&#34;Name&#34;:&#34;cpu&#34;,&#34;Value&#34;:1.5}\n"


# -- what the template reads --------------------------------------------------------------


def test_root_fields_and_uses_all_data():
    tmpl = Template.parse('{{ .Name }}:{{ .Group }}{{ index .Tags "host" }}')
    assert tmpl.root_fields == {"Name", "Group", "Tags"}
    assert not tmpl.uses_all_data
    assert Template.parse("{{ json . }}").uses_all_data
    assert Template.parse("{{ $ }}").uses_all_data
    # inside with/range, "." is not the root any more
    assert Template.parse("{{ with .Tags }}{{ .host }}{{ . }}{{ end }}").root_fields == {"Tags"}
    assert not Template.parse("{{ with .Tags }}{{ . }}{{ end }}").uses_all_data


# -- refused at parse time -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ nope .X }}", 'function "nope" not defined'),
        ("{{ .X", "unclosed action"),
        ("{{ if .X }}", "unexpected EOF"),
        ("{{ end }}", "unexpected {{end}}"),
        ("{{ else }}", "unexpected {{else}}"),
        ("{{ $x }}", 'undefined variable "$x"'),
        ("{{ $x = 1 }}", 'undefined variable "$x"'),
        ('{{ "abc }}', "unterminated quoted string"),
        ("{{ break }}", "{{break}} outside {{range}}"),
        ('{{ template "missing" }}', 'no such template "missing"'),
        ("{{ 3x }}", "bad number syntax"),
        ("{{ (1 }}", "unclosed left paren"),
        ("{{ nil }}", "nil is not a command"),
        ("{{ 3 4 }}", "can't give argument to non-function 3"),
        ("{{/* open }}", "unclosed comment"),
        ("{{ if }}{{ end }}", "missing value for if"),
        ("{{ . | }}", "missing command in pipeline"),
        ("{{ " + "(" * 2000 + "1" + ")" * 2000 + " }}", "template: message: the template nests too deeply"),
        ("{{ if 1 }}" * 2000 + "{{ end }}" * 2000, "template: message: the template nests too deeply"),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(TemplateParseError) as info:
        Template.parse(text, "message")
    assert message in str(info.value)


def test_parse_error_names_the_template_and_line():
    with pytest.raises(TemplateParseError, match=r"template: details:3: function \"bad\" not defined"):
        Template.parse("line1\nline2\n{{ bad }}", "details")


# -- exec errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ .Name.Sub }}", "can't evaluate field Sub in type string"),
        ('{{ .Tags.host "arg" }}', "is not a method but has arguments"),
        ("{{ len 3 }}", "len of type int"),
        ("{{ index .Nil 1 }}", "index of untyped nil"),
        ("{{ range .Name }}{{ end }}", "range can't iterate over cpu"),
        ("{{ eq 1 }}", "missing argument for comparison"),
        ("{{ printf 3 }}", "wrong type for value"),
        ("{{ json .F }}", "unsupported value"),
    ],
)
def test_exec_errors(text, message):
    data = GoStruct("d", {"Name": "cpu", "Tags": {"host": "a"}, "Nil": None, "F": float("nan")})
    with pytest.raises(TemplateExecError) as info:
        Template.parse(text).render(data)
    assert message in str(info.value)


# -- fmt.Sprintf ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "args", "expected"),
    [
        ("%s|%q|%v|%x|%X", ("a", 'b"c', "d", "hi", "hi"), 'a|"b\\"c"|d|6869|6869'),
        ("%d|%5d|%-5d|%05d|%+d", (7, 7, 7, 7, 7), "7|    7|7    |00007|+7"),
        ("%x|%o|%b|%c", (255, 8, 5, 65), "ff|10|101|A"),
        (
            "%f|%.2f|%8.3f|%e|%g|%G",
            (3.14159, 3.14159, 3.14159, 1234.5, 1e-7, 2e20),
            ("3.141590|3.14|   3.142|1.234500e+03|1e-07|2E+20"),
        ),
        ("%v|%v|%v", (1.0, 2, True), "1|2|true"),
        ("%t|%t", (True, False), "true|false"),
        ("%5s|%-5s|%.2s", ("ab", "ab", "abc"), "   ab|ab   |ab"),
        ("%d %d", (1,), "1 %!d(MISSING)"),
        ("%d", (1, "x"), "1%!(EXTRA string=x)"),
        ("%d|%s|%f", ("x", 5, "y"), "%!d(string=x)|%!s(int=5)|%!f(string=y)"),
        ("100%%", (), "100%"),
        ("%*d|%.*f", (4, 7, 1, 2.25), "   7|2.2"),
        ("%v %s", (GoDuration(10**9), GoDuration(10**9)), "1s 1s"),
        ("%v", ([1.5, "a"],), "[1.5 a]"),
        ("%v", (None,), "<nil>"),
        ("%d", (None,), "%!d(<nil>)"),
    ],
)
def test_sprintf(fmt, args, expected):
    assert sprintf(fmt, *args) == expected


# -- encoding/json ---------------------------------------------------------------------------


def test_go_json():
    value = GoStruct(
        "alert.Data",
        {
            "id": "a<b",
            "time": GoTime(T0),
            "duration": GoDuration(5),
            "data": {"z": 1, "a": [1.0, 0.5, 1e21, 1e-7, None, True]},
        },
    )
    assert go_json(value) == (
        '{"id":"a\\u003cb","time":"2020-01-01T00:00:10Z","duration":5,'
        '"data":{"a":[1,0.5,1e+21,1e-7,null,true],"z":1}}'
    )
    assert go_json("é\n\u2028") == '"é\\n\\u2028"'
    assert go_json(NO_VALUE) == "null"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", '"plain"'),
        ('q"b\\s', '"q\\"b\\\\s"'),
        ("\b\f\x01\x7f", '"\\u0008\\u000c\\u0001\x7f"'),
        ("\n\r\t", '"\\n\\r\\t"'),
        ("&#34;<a>", '"\\u0026#34;\\u003ca\\u003e"'),
        ("\\b<", '"\\\\b\\u003c"'),
        ("\u2028\u2029😀", '"\\u2028\\u2029😀"'),
    ],
)
def test_go_json_strings_escape_as_go_does(text, expected):
    assert go_json(text) == expected
