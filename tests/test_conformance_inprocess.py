"""Every stream case of the conformance corpus, run in-process.

The corpus (``../shared/conformance/cases``) holds TICKscripts, their input and the
answers a real Kapacitor 1.5.0 gave; ``tests/conformance.py`` drives one case through
an in-process kernel and compares as ``run.py`` does. The same cases run over HTTP
in CI (``.ci/conformance.sh``).
"""

from __future__ import annotations

import pytest
from conformance import CASES, case_names, load_case, run_case


def test_the_corpus_is_there():
    assert len(case_names("")) >= 100, f"conformance corpus missing or incomplete at {CASES}"


@pytest.mark.parametrize("name", case_names(""))
async def test_case(name, plugins, autojump_clock):
    assert await run_case(load_case(name), plugins) == []
