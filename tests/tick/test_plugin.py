"""The TICKscript compiler as the kernel sees it: errors it raises are TickErrors."""

from __future__ import annotations

import re

import pytest

from leyden.kernel import TickError
from leyden.tick.plugin import TOO_DEEP, TickCompiler


@pytest.mark.parametrize(
    "script",
    [
        "stream" + "|log()" * 2000,
        "stream|from()|where(lambda: " + "(" * 2000 + "TRUE" + ")" * 2000 + ")",
        "var x = " + "-" * 2000 + "1\nstream|log()",
    ],
    ids=["chain", "parentheses", "unary minus"],
)
def test_a_script_too_deep_for_python_is_a_script_error(plugins, script):
    # a RecursionError would reach the API as a 500 "internal error"
    compiler = TickCompiler()
    with pytest.raises(TickError, match=re.escape(TOO_DEEP)):
        compiler.compile(script, plugins)
    with pytest.raises(TickError, match=re.escape(TOO_DEEP)):
        compiler.declared_vars(script, plugins)
