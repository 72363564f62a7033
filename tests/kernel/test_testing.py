"""leyden.kernel.testing: what a Kapacitor user gets to unit-test a TICKscript."""

from __future__ import annotations

import pytest

from leyden.kernel import TickError
from leyden.kernel.testing import open_task

SCRIPT = """
stream
    |from()
        .measurement('cpu')
    |window()
        .period(10s)
        .every(10s)
    |count('value')
    |httpOut('out')
"""


async def test_outputs_and_bad_lines(autojump_clock):
    async with open_task(SCRIPT) as task:
        errors = await task.write("cpu value=1 0\ncpu value=\ncpu value=2 5\ncpu value=3 10\n", precision="s")
        assert [e.line for e in errors] == [2]
        assert task.output("out")["series"][0]["values"] == [["1970-01-01T00:00:10Z", 2]]
        assert set(task.outputs()) == {"out"}
        assert task.error == ""


async def test_invalid_script_and_test_failures_read_as_themselves():
    with pytest.raises(TickError, match="line 3"):
        async with open_task("stream\n    |from()\n    |nosuch()\n"):
            pass
    with pytest.raises(AssertionError):
        async with open_task(SCRIPT):
            raise AssertionError


async def test_missing_output_names_the_problem():
    async with open_task(SCRIPT) as task:
        with pytest.raises(KeyError, match="nope"):
            task.output("nope")
