"""The conformance corpus cases of join, union, combine, flatten, changeDetect,
stateCount, stateDuration and sideload, run in-process (see ``tests/conformance.py``)."""

from __future__ import annotations

import pytest
from conformance import case_names, load_case, run_case

AREAS = (
    "join-",
    "union-",
    "combine-",
    "flatten-",
    "changedetect-",
    "statecount-",
    "stateduration-",
    "sideload-",
)

#: Cases known to fail for reasons outside these nodes (name: reason).
KNOWN_FAILURES = {
    "join-as": "the lambda compiler raises on float division by zero (0.0/0.0); Go gives NaN, "
    "so Kapacitor's eval passes the flush points that close the window",
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
    assert await run_case(load_case(name), plugins) == []
