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

@pytest.mark.parametrize("name", case_names(*AREAS))
async def test_case(name, plugins, autojump_clock):
    assert await run_case(load_case(name), plugins) == []
