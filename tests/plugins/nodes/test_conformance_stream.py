"""The conformance corpus cases of the core stream nodes, run in-process.

Each case is a TICKscript, its input and the answer Kapacitor 1.5.0 gave; see
``tests/conformance.py``. Cases of other node families join by adding their prefix.
"""

from __future__ import annotations

import pytest
from conformance import case_names, load_case, run_case

AREAS = (
    "from-",
    "where-",
    "eval-",
    "groupby-",
    "window-",
    "influxql-",
    "derivative-",
    "sample-",
    "shift-",
    "default-",
    "delete-",
    "log-",
    "tick-",
)

#: Cases that also use a node of another family: they run once it is installed.
USES_NODE = {
    "tick-lambda-duration-compare": "stateDuration",
}

#: Cases known to fail for reasons outside these nodes (name: reason).
KNOWN_FAILURES = {
    "tick-string-escape-field": "the kernel's line protocol parser rejects '\"' in a field key",
}


def _params() -> list[object]:
    return [
        pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_FAILURES[name], strict=True))
        if name in KNOWN_FAILURES
        else name
        for name in case_names(*AREAS)
    ]


@pytest.mark.skipif(not case_names(*AREAS), reason="conformance corpus not found")
@pytest.mark.parametrize("name", _params())
async def test_case(name, plugins, autojump_clock):
    node = USES_NODE.get(name)
    if node is not None and node not in plugins.nodes:
        pytest.skip(f"needs the {node} node")
    assert await run_case(load_case(name), plugins) == []
