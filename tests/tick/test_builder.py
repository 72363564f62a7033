"""The pipeline builder: nodes, properties, handlers, macros, UDFs, vars, templates,
and every check, each error pointing at the offending token."""

from __future__ import annotations

import dataclasses
import re

import pytest

from leyden.kernel import (
    STAR,
    EdgeType,
    HandlerSpec,
    NodeSpec,
    PluginRegistry,
    Point,
    PropertySpec,
    TaskVar,
    TickError,
    hookimpl,
    params,
)
from leyden.kernel import ValueType as V
from leyden.plugins.nodes import source
from leyden.tick import compile, declared_vars

STREAM, BATCH = EdgeType.STREAM, EdgeType.BATCH


def props(*specs: PropertySpec) -> dict[str, PropertySpec]:
    return {p.name: p for p in specs}


def expand_deadman(macro):
    """A two-node macro in the manner of Kapacitor's deadman."""
    threshold, interval = macro.args
    stats = macro.chain(macro.parent, "stats", interval)
    macro.set(stats, "align")
    alert = macro.chain(stats, "alert")
    macro.set(alert, "crit", macro.lambda_expr(f'"emitted" <= {threshold}'))
    return alert


class KapacitorShapedNodes:
    """Stand-ins shaped like Kapacitor's nodes, so the builder is tested on its own."""

    @hookimpl
    def leyden_node_specs(self):
        def node(name, kind=None, **kw):
            return NodeSpec(name=name, kind=kind or name.lower(), factory=None, **kw)

        return [
            node(
                "from",
                wants=(STREAM,),
                properties=props(
                    PropertySpec("measurement", params(V.STRING)),
                    PropertySpec("where", params(V.LAMBDA)),
                    PropertySpec("groupBy", params((V.STRING, V.STAR), variadic=True)),
                    PropertySpec("truncate", params(V.DURATION)),
                ),
            ),
            node(
                "window",
                wants=(STREAM,),
                provides=BATCH,
                properties=props(
                    PropertySpec("period", params(V.DURATION)),
                    PropertySpec("every", params(V.DURATION)),
                    PropertySpec("align"),
                ),
            ),
            node(
                "query",
                wants=(BATCH,),
                args=params(V.STRING),
                properties=props(PropertySpec("period", params(V.DURATION))),
            ),
            node("count", args=params(V.STRING)),
            node("httpOut", "http_out", args=params(V.STRING)),
            node("scale", args=params(V.FLOAT)),
            node("shift", args=params(V.DURATION)),
            node(
                "sideload",
                properties=props(PropertySpec("tag", params(V.STRING, V.STRING), repeatable=True)),
            ),
            node(
                "join",
                args=params(V.NODE, variadic=True, min_args=1),
                multi_parent=True,
                properties=props(PropertySpec("as", params(V.STRING, variadic=True))),
            ),
            node("stats", args=params(V.DURATION), properties=props(PropertySpec("align"))),
            node(
                "alert",
                handlers=True,
                properties=props(
                    PropertySpec("id", params(V.STRING)),
                    PropertySpec("crit", params(V.LAMBDA)),
                    PropertySpec("stateChangesOnly"),
                ),
            ),
            node("deadman", args=params(V.FLOAT, V.DURATION), expand=expand_deadman),
        ]

    @hookimpl
    def leyden_alert_handlers(self):
        def handler(name, **kw):
            return HandlerSpec(name=name, factory=lambda options, section: None, **kw)

        return [
            handler("log", args=params(V.STRING), properties=props(PropertySpec("mode", params(V.INT)))),
            handler(
                "post",
                args=params(V.STRING),
                properties=props(PropertySpec("header", params(V.STRING, V.STRING))),
            ),
        ]


@pytest.fixture(scope="module")
def kapa() -> PluginRegistry:
    registry = PluginRegistry.from_modules(source, KapacitorShapedNodes(), _functions_module())
    registry.udfs = {
        "movingAvg": NodeSpec(
            name="movingAvg",
            kind="moving_avg",
            factory=None,
            properties=props(PropertySpec("field", params(V.STRING))),
        )
    }
    return registry


def _functions_module():
    from leyden.tick import functions

    return functions


def error(script: str, plugins: PluginRegistry, **kw) -> TickError:
    with pytest.raises(TickError) as info:
        compile(script, plugins, **kw)
    return info.value


def where(err: TickError) -> tuple[int, int]:
    return (err.line, err.column)


# -- nodes, ids, edges, DOT --------------------------------------------------------------


def test_nodes_in_creation_order_with_kapacitor_names_and_dot(kapa):
    pipeline = compile(
        "stream\n  |from().measurement('cpu')\n  |window().period(10s).every(10s)\n  |count('value')\n"
        "  |httpOut('c')\n",
        kapa,
    )
    assert [n.name for n in pipeline.nodes] == ["stream0", "from1", "window2", "count3", "http_out4"]
    assert pipeline.type is STREAM
    stream, from_, window, count, out = pipeline.nodes
    assert from_.parents == [stream] and stream.children == [from_]
    assert (from_.edge_in, from_.edge_out) == (STREAM, STREAM)
    assert (window.edge_in, window.edge_out, count.edge_out) == (STREAM, BATCH, BATCH)
    assert from_.properties == {"measurement": [("cpu",)]}
    assert window.properties == {"period": [(10 * 10**9,)], "every": [(10 * 10**9,)]}
    assert count.args == ("value",) and out.args == ("c",)
    assert (count.pos, out.pos) == ((4, 4), (5, 4))
    # The DOT graph Kapacitor 1.5 shows for this script (kapacitor-cli-transcript.md).
    assert pipeline.dot("cli1") == (
        "digraph cli1 {\nstream0 -> from1;\nfrom1 -> window2;\nwindow2 -> count3;\ncount3 -> http_out4;\n}"
    )


def test_branches_through_variables(kapa):
    pipeline = compile("var data = stream|from()\ndata|count('a')\ndata|httpOut('b')", kapa)
    from_ = pipeline.nodes[1]
    assert [c.name for c in from_.children] == ["count2", "http_out3"]


def test_batch_pipelines(kapa):
    pipeline = compile("batch|query('SELECT 1').period(1m)|httpOut('x')", kapa)
    assert pipeline.type is BATCH
    assert [n.name for n in pipeline.nodes] == ["batch0", "query1", "http_out2"]
    assert pipeline.nodes[1].properties == {"period": [(60 * 10**9,)]}


def test_dbrp_statements(kapa):
    pipeline = compile('dbrp "db"."rp"\ndbrp "other"."autogen"\ndbrp "db"."rp"\nstream|from()', kapa)
    assert pipeline.dbrps == [("db", "rp"), ("other", "autogen")]


def test_properties_last_call_wins_unless_repeatable(kapa):
    pipeline = compile(
        "stream|from().measurement('a').measurement('b')|sideload().tag('x', 'y').tag('z', 'w')", kapa
    )
    assert pipeline.nodes[1].properties["measurement"] == [("b",)]
    assert pipeline.nodes[2].properties["tag"] == [("x", "y"), ("z", "w")]


def test_flags_with_and_without_parentheses(kapa):
    pipeline = compile("stream|window().align()|stats(1s).align", kapa)
    assert pipeline.nodes[1].properties == {"align": [()]}
    assert pipeline.nodes[2].properties == {"align": [()]}


def test_an_int_where_a_float_is_expected_becomes_a_float(kapa):
    (scale,) = compile("stream|scale(2)", kapa).nodes[1:]
    assert scale.args == (2.0,) and isinstance(scale.args[0], float)


def test_a_lone_list_argument_spreads_into_the_arguments(kapa):
    pipeline = compile("var tags = ['host', 'dc']\nstream|from().groupBy(tags)", kapa)
    assert pipeline.nodes[1].properties["groupBy"] == [("host", "dc")]
    pipeline = compile("stream|from().groupBy(*)", kapa)
    assert pipeline.nodes[1].properties["groupBy"] == [(STAR,)]


def test_script_level_arithmetic_is_evaluated(kapa):
    pipeline = compile(
        "var p = 5m * 2\nvar back = -10s\nvar half = 7 / 2\nvar neg = -7 / 2\n"
        "stream|shift(back)|window().period(p).every(p + 30s)|scale(half)|scale(neg % 3)",
        kapa,
    )
    shift, window, half, rest = pipeline.nodes[1:]
    assert shift.args == (-10 * 10**9,)
    assert window.properties == {"period": [(600 * 10**9,)], "every": [(630 * 10**9,)]}
    assert half.args == (3.0,)  # Go's integer division
    assert rest.args == (0.0,)  # -3 % 3


def test_mixed_int_and_float_arithmetic_is_an_error(kapa):
    err = error("var x = 1 + 1.5\nstream", kapa)
    assert "invalid operation: an int + a float" in err.message and where(err) == (1, 11)


# -- multi-parent nodes, macros, UDFs ------------------------------------------------------


def test_node_arguments_of_multi_parent_nodes_become_parents(kapa):
    pipeline = compile(
        "var a = stream|from().measurement('a')\nvar b = stream|from().measurement('b')\n"
        "a|join(b).as('a', 'b')",
        kapa,
    )
    a, b, join = pipeline.nodes[1], pipeline.nodes[2], pipeline.nodes[3]
    assert join.parents == [a, b] and join.args == ()
    assert a.children == [join] and b.children == [join]
    assert join.properties == {"as": [("a", "b")]}


def test_parents_must_provide_the_same_edge_type(kapa):
    err = error("var a = stream|from()\nvar b = stream|window()\na|join(b)", kapa)
    assert "must all provide the same edge type" in err.message and where(err) == (3, 3)


def test_a_macro_builds_its_nodes_and_the_chain_continues_from_its_result(kapa):
    pipeline = compile("stream|from()|deadman(10, 1m).id('dead')|httpOut('x')", kapa)
    assert [n.name for n in pipeline.nodes] == ["stream0", "from1", "stats2", "alert3", "http_out4"]
    stats, alert = pipeline.nodes[2], pipeline.nodes[3]
    assert stats.args == (60 * 10**9,) and stats.properties == {"align": [()]}
    assert alert.properties["id"] == [("dead",)]
    (crit,) = alert.properties["crit"][0]
    assert crit.text == '"emitted" <= 10.0'


def test_macro_errors_point_at_the_macro_call(kapa):
    def broken(macro):
        return macro.chain(macro.parent, "alert") and macro.lambda_expr('"emitted" <=')

    registry = dataclasses.replace(
        kapa, nodes={**kapa.nodes, "broken": NodeSpec("broken", "broken", None, expand=broken)}
    )
    err = error("stream\n  |broken()", registry)
    assert err.message.startswith("in the macro's lambda '\"emitted\" <=': unexpected end of script")
    assert where(err) == (2, 4)


def test_udfs_are_called_with_at(kapa):
    pipeline = compile("stream|from()@movingAvg().field('value')", kapa)
    udf = pipeline.nodes[2]
    assert udf.name == "moving_avg2" and udf.properties == {"field": [("value",)]}


def test_udf_mistakes(kapa):
    assert "unknown UDF 'nope'" in error("stream@nope()", kapa).message
    err = error("stream|movingAvg()", kapa)
    assert "use '@' instead" in err.message and where(err) == (1, 8)
    assert "use '|' instead" in error("stream@count('x')", kapa).message


# -- alert handlers ------------------------------------------------------------------------


def test_handlers_take_their_properties_and_fall_back_to_the_alert_node(kapa):
    pipeline = compile(
        "stream|alert()\n  .log('/tmp/a.log').mode(0644)\n  .id('x')\n  .post('http://h').header('k', 'v')"
        "\n  .stateChangesOnly()|httpOut('after')",
        kapa,
    )
    alert, out = pipeline.nodes[1], pipeline.nodes[2]
    log, post = alert.handlers
    assert (log.name, log.args, dict(log.properties), log.pos) == (
        "log",
        ("/tmp/a.log",),
        {"mode": [(420,)]},
        (2, 4),
    )
    assert (post.name, post.args, dict(post.properties)) == ("post", ("http://h",), {"header": [("k", "v")]})
    assert log.spec is kapa.handlers["log"]
    assert alert.properties == {"id": [("x",)], "stateChangesOnly": [()]}
    assert out.parents == [alert]


def test_a_handler_property_on_the_alert_node_is_unknown(kapa):
    err = error("stream|alert().mode(0644)", kapa)
    assert err.message == "alert has no property 'mode'" and where(err) == (1, 16)


def test_handler_argument_checks(kapa):
    err = error("stream|alert().log(1)", kapa)
    assert "argument 1 of .log() must be a string, got an int" in err.message and where(err) == (1, 20)


def test_handlers_only_on_nodes_that_take_them(kapa):
    assert "from has no property 'log'" in error("stream|from().log('x')", kapa).message


# -- checks --------------------------------------------------------------------------------


def test_unknown_node_suggests_a_close_name(kapa):
    err = error("stream\n    |windw()", kapa)
    assert err.message == "unknown node 'windw'; did you mean 'window'?" and where(err) == (2, 6)


def test_unknown_property_suggests_a_close_name(kapa):
    err = error("stream\n    |from()\n        .measurment('cpu')", kapa)
    assert err.message == "from has no property 'measurment'; did you mean 'measurement'?"
    assert where(err) == (3, 10)


def test_property_used_as_node_and_node_used_as_property(kapa):
    err = error("stream\n    |from()\n    |measurement('cpu')", kapa)
    assert "no chaining method 'measurement' on from1" in err.message and "use '.'" in err.message
    assert where(err) == (3, 6)
    err = error("stream|from().window()", kapa)
    assert "no property 'window' on from1" in err.message and "use '|'" in err.message


def test_sources_are_not_chaining_methods(kapa):
    assert "unknown node 'stream'" in error("stream|stream()", kapa).message


@pytest.mark.parametrize(
    ("script", "message", "pos"),
    [
        ("stream|from().measurement('a', 'b')", ".measurement() takes 1 argument, got 2", (1, 15)),
        ("stream|from().measurement()", ".measurement() takes 1 argument, got 0", (1, 15)),
        ("stream|join()", "join() takes at least 1 argument, got 0", (1, 8)),
        ("stream|window().align(TRUE)", ".align() takes 0 arguments, got 1", (1, 17)),
        (
            "stream|window()\n  .period('1m')",
            "argument 1 of .period() must be a duration, got a string",
            (2, 11),
        ),
        ("stream|scale('2')", "argument 1 of scale() must be a float, got a string", (1, 14)),
        (
            "stream|from().groupBy('a', 1)",
            "argument 2 of .groupBy() must be a string or *, got an int",
            (1, 28),
        ),
        ("stream|from().where(TRUE)", "argument 1 of .where() must be a lambda, got a bool", (1, 21)),
    ],
)
def test_arity_and_types(kapa, script, message, pos):
    err = error(script, kapa)
    assert err.message == message and where(err) == pos


def test_double_quotes_where_single_quotes_were_meant(kapa):
    err = error('stream|from().measurement("cpu")', kapa)
    assert "did you use double quotes instead of single quotes?" in err.message and where(err) == (1, 27)


def test_undefined_and_redeclared_variables(kapa):
    err = error("stream|from().measurement(meas)", kapa)
    assert err.message == "undefined variable 'meas'" and where(err) == (1, 27)
    err = error("var x = 'cpu'\nvar x = 'mem'\nstream", kapa)
    assert err.message == "attempted to redefine x (declared on line 1), vars are immutable"
    assert where(err) == (2, 5)
    assert "redefine stream" in error("var stream = 1", kapa).message


def test_edge_types(kapa):
    err = error("batch\n    |from()", kapa)
    assert err.message == "from() takes stream edges, but batch0 provides a batch edge" and where(err) == (
        2,
        6,
    )
    err = error("batch|query('q')|window()", kapa)
    assert "window() takes stream edges, but query1 provides a batch edge" in err.message


def test_sources_and_task_types(kapa):
    err = error("batch|query('q')\nstream|from()", kapa)
    assert err.message == "a script cannot use both batch and stream" and where(err) == (2, 1)
    err = error("stream|from()", kapa, task_type=BATCH)
    assert err.message == "stream cannot be used in a batch task" and where(err) == (1, 1)
    assert compile("stream|from()", kapa, task_type=STREAM).type is STREAM


def test_a_script_needs_a_source(kapa):
    assert "no source" in error("var x = 5", kapa).message
    assert "no source" in error("", kapa).message


def test_chaining_on_a_value(kapa):
    err = error("var x = 'a'\nx|from()", kapa)
    assert err.message == "cannot use |from on a string" and where(err) == (2, 2)


def test_functions_live_in_lambdas(kapa):
    assert "unknown function sigma()" in error("var x = sigma(1)\nstream", kapa).message


# -- lambdas -------------------------------------------------------------------------------


def evaluate(lam, tags=None, **fields):
    return lam.evaluator()(Point("m", tags or {}, fields, 0))


def test_lambdas_are_compiled_with_script_variables_in_scope(kapa):
    pipeline = compile('var limit = 10\nstream|from().where(lambda: "value" > limit)', kapa)
    (where_,) = pipeline.nodes[1].properties["where"][0]
    assert (evaluate(where_, value=11), evaluate(where_, value=10)) == (True, False)


def test_lambda_errors_point_into_the_script(kapa):
    err = error('stream|from().where(lambda: nosuch("value"))', kapa)
    assert "nosuch" in err.message and err.line == 1


# -- vars and templates --------------------------------------------------------------------

TEMPLATE = """// the measurement
var m = 'cpu'
var p = 10s
var limit float
var tags = ['host']
var pattern = /^web/
var cond = lambda: "host" =~ pattern AND "value" > 1.5
var every duration
stream
    |from()
        .measurement(m)
        .groupBy(tags)
        .where(cond)
    |window()
        .period(p)
        .every(every)
    |scale(limit)
"""


def test_declared_vars_in_kapacitor_api_shape(kapa):
    declared = declared_vars(TEMPLATE, kapa)
    assert declared == {
        "m": TaskVar("string", "cpu", "the measurement"),
        "p": TaskVar("duration", 10 * 10**9),
        "limit": TaskVar("float", None),
        "tags": TaskVar("list", [{"type": "string", "value": "host", "description": ""}]),
        "pattern": TaskVar("regex", "^web"),
        "cond": TaskVar("lambda", '"host" =~ /^web/ AND "value" > 1.5'),
        "every": TaskVar("duration", None),
    }


def test_the_transcript_template(plugins):
    script = "var m = 'cpu'\nvar p = 10s\nstream\n  |from().measurement(m)\n  |window().period(p).every(p)\n"
    assert declared_vars(script, plugins) == {
        "m": TaskVar("string", "cpu", ""),
        "p": TaskVar("duration", 10000000000, ""),
    }


def test_template_vars_must_be_given(kapa):
    err = error(TEMPLATE, kapa)
    assert err.message == 'missing value for var "limit"' and where(err) == (4, 5)


def test_a_template_checks_with_zero_values(kapa):
    pipeline = compile(TEMPLATE, kapa, allow_missing_vars=True)
    assert pipeline.nodes[3].args == (0.0,)


def test_vars_override_declarations(kapa):
    pipeline = compile(
        TEMPLATE,
        kapa,
        vars={
            "m": TaskVar("string", "mem"),
            "limit": TaskVar("float", 2),
            "every": TaskVar("duration", 20 * 10**9),
            "tags": TaskVar("list", [{"type": "string", "value": "dc"}, TaskVar("star", None)]),
            "pattern": TaskVar("regex", "^db"),
            "cond": TaskVar("lambda", '"host" =~ pattern'),
        },
    )
    from_, window, scale = pipeline.nodes[1:]
    assert from_.properties["measurement"] == [("mem",)]
    assert from_.properties["groupBy"] == [("dc", STAR)]
    (cond,) = from_.properties["where"][0]
    # the given lambda sees the given pattern
    assert evaluate(cond, {"host": "db1"}) is True
    assert evaluate(cond, {"host": "web1"}) is False
    assert window.properties == {"period": [(10 * 10**9,)], "every": [(20 * 10**9,)]}
    assert scale.args == (2.0,)


def test_var_values_from_the_api_are_converted(kapa):
    script = "var r = /x/\nvar d = 1s\nvar s = *\nstream|from().groupBy(s).truncate(d)"
    pipeline = compile(
        script,
        kapa,
        vars={"r": TaskVar("regex", "a/b"), "d": TaskVar("duration", "5m"), "s": TaskVar("star", None)},
    )
    assert pipeline.nodes[1].properties == {"groupBy": [(STAR,)], "truncate": [(300 * 10**9,)]}


@pytest.mark.parametrize(
    ("var", "message"),
    [
        (TaskVar("int", 5), "invalid type supplied for m: got int, the script declares string"),
        (TaskVar("string", 5), "invalid value for var m: expected a string, got 5"),
    ],
)
def test_bad_vars(kapa, var, message):
    err = error(TEMPLATE, kapa, vars={"m": var}, allow_missing_vars=True)
    assert err.message == message and where(err) == (2, 5)


def test_a_bad_lambda_var(kapa):
    err = error(TEMPLATE, kapa, vars={"cond": TaskVar("lambda", '"a" >')}, allow_missing_vars=True)
    assert err.message.startswith("invalid value for var cond: unexpected end of script")


def test_undeclared_vars_are_ignored(kapa):
    assert compile("stream", kapa, vars={"other": TaskVar("int", 1)}).nodes[0].name == "stream0"


# -- the real plugins ----------------------------------------------------------------------


def test_with_the_installed_plugins(plugins):
    pipeline = compile(
        "stream\n  |from().measurement('cpu').groupBy('host')\n  |window().period(10s).every(10s)\n"
        "  |httpOut('out')",
        plugins,
    )
    assert [n.name for n in pipeline.nodes] == ["stream0", "from1", "window2", "http_out3"]
    err = error("stream|from().measurment('cpu')", plugins)
    assert "did you mean 'measurement'?" in err.message
    err = error("stream|from()|window().period('1m')", plugins)
    assert re.search(r"argument 1 of \.period\(\) must be a duration", err.message)
    assert "unknown node 'nosuch'" in error("stream|nosuch()", plugins).message


def test_the_compiler_is_a_registered_plugin(plugins):
    assert plugins.compiler.compile("stream|from()", plugins).nodes[1].name == "from1"
    assert plugins.compiler.format("stream|from()") == "stream\n    |from()\n"
    assert plugins.compiler.declared_vars("var x = 1\nstream", plugins) == {"x": TaskVar("int", 1)}
