"""The conformance corpus, as far as the TICKscript front-end is concerned.

Every script Kapacitor 1.5 rejected (``expect_error``) is rejected here with a
:class:`TickError`, for the reason Kapacitor had. Every other script parses, formats
and builds. A script that uses a node no installed plugin provides yet must fail at
that node (an "unknown node" error at its position), and nothing earlier: so these
tests tighten by themselves as the node plugins land.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib

import pytest

from leyden.kernel import EdgeType, NodeSpec, PluginRegistry, PropertySpec, TickError, params
from leyden.kernel import ValueType as V
from leyden.tick import ast, compile, format, parse

CONFORMANCE = pathlib.Path("/work/shared/conformance")


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    script: str
    expect_error: bool

    def __str__(self) -> str:
        return self.name


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CONFORMANCE.glob("*cases/*/case.json")):
        meta = json.loads(path.read_text())
        script = (
            (path.parent / "task.tick")
            .read_text()
            .replace("{{LOGDIR}}", "/tmp/leyden-logs")
            .replace("{{CASEDIR}}", str(path.parent))
            .replace("{{SINK}}", "http://127.0.0.1:9/sink")
        )
        cases.append(Case(path.parent.name, script, bool(meta.get("expect_error"))))
    return cases


CASES = load_cases()
INVALID = [c for c in CASES if c.expect_error]
VALID = [c for c in CASES if not c.expect_error]

#: Why Kapacitor rejects each invalid case, as our message says it.
REASONS = {
    "invalid-bad-duration": "invalid duration 10x",
    "invalid-compound-duration": "invalid duration 1m30s: compound durations are not supported",
    "invalid-no-source": "the script has no source",
    "invalid-property-as-node": "no chaining method 'measurement' on from1",
    "invalid-redeclare-var": "attempted to redefine x",
    "invalid-too-many-args": ".measurement() takes 1 argument, got 2",
    "invalid-undefined-variable": "undefined variable 'meas'",
    "invalid-unknown-property": "from has no property 'measurment'",
    "invalid-unterminated-string": "unterminated string",
    "batch-invalid-from": "from() takes stream edges, but batch0 provides a batch edge",
    "batch-invalid-mixed-stream": "a script cannot use both batch and stream",
    "batch-invalid-period-string": "argument 1 of .period() must be a duration, got a string",
    "batch-invalid-window": "window() takes stream edges, but query1 provides a batch edge",
}

#: Stand-ins for nodes the invalid cases need, used only where no plugin provides them.
STAND_INS = {
    "query": NodeSpec(
        name="query",
        kind="query",
        factory=None,
        args=params(V.STRING),
        wants=(EdgeType.BATCH,),
        provides=EdgeType.BATCH,
        properties={name: PropertySpec(name, params(V.DURATION)) for name in ("period", "every")},
    ),
}


def missing_nodes(script: str, plugins: PluginRegistry) -> dict[tuple[int, int], str]:
    """The ``|name()`` chaining methods of a script that no loaded plugin provides,
    by position."""
    missing = {}
    stack: list[object] = [
        s.expr if isinstance(s, ast.ExprStmt) else s.value for s in parse(script).statements
    ]
    while stack:
        expr = stack.pop()
        if isinstance(expr, ast.Chain):
            if expr.op == "|" and expr.name not in plugins.nodes:
                missing[expr.name_pos] = expr.name
            stack += [expr.left, *expr.args]
    return missing


def rejection(case: Case, plugins: PluginRegistry) -> TickError:
    with pytest.raises(TickError) as info:
        compile(case.script, plugins)
    return info.value


@pytest.fixture(scope="module")
def plugins_with_stand_ins(plugins: PluginRegistry) -> PluginRegistry:
    return dataclasses.replace(plugins, nodes={**STAND_INS, **plugins.nodes})


def test_every_invalid_case_has_a_reason():
    assert sorted(REASONS) == sorted(c.name for c in INVALID)


@pytest.mark.parametrize("case", INVALID, ids=str)
def test_invalid_case_is_rejected_for_kapacitors_reason(case, plugins_with_stand_ins):
    assert REASONS[case.name] in rejection(case, plugins_with_stand_ins).message


@pytest.mark.parametrize("case", INVALID, ids=str)
def test_invalid_case_is_rejected_by_the_installed_plugins(case, plugins):
    err = rejection(case, plugins)
    if REASONS[case.name] not in err.message:
        # only because a node it needs is not provided yet
        assert (err.line, err.column) in missing_nodes(case.script, plugins), err


@pytest.mark.parametrize("case", VALID, ids=str)
def test_valid_case_parses_and_formats(case):
    formatted = format(case.script)
    assert format(formatted) == formatted


@pytest.mark.parametrize("case", VALID, ids=str)
def test_valid_case_builds_or_awaits_a_node(case, plugins):
    missing = missing_nodes(case.script, plugins)
    if not missing:
        pipeline = compile(case.script, plugins)
        assert pipeline.nodes[0].spec.source_var
        return
    err = rejection(case, plugins)
    assert (err.line, err.column) in missing, err
    assert missing[(err.line, err.column)] in err.message
