"""TICKscript as the kernel's script compiler, registered like any other plugin.

The entry point ``language.tickscript`` (group ``leyden.languages``) names this
module; the kernel asks it for a compiler through the ``leyden_script_compiler``
hook and never imports :mod:`leyden.tick` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leyden.kernel import EdgeType, Pipeline, TaskVar, TickError, hookimpl

from . import builder, fmt

#: What a script too deep for Python's recursion limit (parser, checker and lambda
#: compiler recurse along chains and expressions) gets instead of a RecursionError.
TOO_DEEP = "the script nests too deeply (a chain or an expression hundreds of levels deep); split it up"


class TickCompiler:
    """The kernel's :class:`~leyden.kernel.ScriptCompiler` for TICKscript."""

    def compile(
        self,
        script: str,
        plugins: Any,
        *,
        vars: Mapping[str, TaskVar] | None = None,
        task_type: EdgeType | None = None,
        allow_missing_vars: bool = False,
        config: Any = None,
    ) -> Pipeline:
        """Parse, check and build; ``allow_missing_vars`` checks a template."""
        try:
            return builder.compile(
                script,
                plugins,
                vars=vars,
                task_type=task_type,
                allow_missing_vars=allow_missing_vars,
                config=config,
            )
        except RecursionError:
            raise TickError(TOO_DEEP) from None

    def declared_vars(self, script: str, plugins: Any) -> dict[str, TaskVar]:
        try:
            return builder.declared_vars(script, plugins)
        except RecursionError:
            raise TickError(TOO_DEEP) from None

    def format(self, script: str) -> str:
        return fmt.format(script)


@hookimpl
def leyden_script_compiler() -> TickCompiler:
    return TickCompiler()
