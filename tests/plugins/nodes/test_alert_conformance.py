"""The alert-* cases of the conformance corpus, run in-process (see tests/conformance.py).

Each case is a TICKscript with ``|alert()``, its input, and the ``httpOut`` document
and ``.log()`` lines a real Kapacitor 1.5.0 produced for it.
"""

from __future__ import annotations

import pytest
from conformance import case_names, load_case, run_case

CASES = case_names("alert-")


@pytest.mark.skipif(not CASES, reason="conformance corpus not found")
@pytest.mark.parametrize("name", CASES)
async def test_case(name, plugins, autojump_clock):
    assert await run_case(load_case(name), plugins) == []
