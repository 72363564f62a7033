"""Every hook a leyden plugin can implement.

A plugin is a module (or object) found through an entry point in one of the groups
``leyden.nodes``, ``leyden.alerts``, ``leyden.sources``, ``leyden.functions`` and
``leyden.languages``, and listed in ``plugins.lock``. It implements some of the
hooks below with ``@leyden.kernel.hookimpl``. Hooks only *describe*: they return
specs, and the kernel owns the loops, grouping, statistics and cancellation.

Example, a package providing one node::

    from leyden.kernel import NodeSpec, hookimpl

    @hookimpl
    def leyden_node_specs():
        return [NodeSpec(name="double", kind="double", factory=DoubleNode)]

    # pyproject.toml
    # [project.entry-points."leyden.nodes"]
    # "node.double" = "mypackage.double"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from ._pipeline import ScriptCompiler
    from ._spec import FunctionSpec, HandlerSpec, NodeSpec, SourceSpec

hookspec = pluggy.HookspecMarker("leyden")


@hookspec
def leyden_node_specs() -> list[NodeSpec]:
    """Return the node types this plugin provides.

    Called once when plugins are loaded. Each :class:`NodeSpec` names the chaining
    method (``|name()``), its arguments and properties with their types (the
    TICKscript checker rejects anything else at define time, with line and column),
    the edge types it consumes and produces, and the factory that builds the running
    node from a :class:`NodeContext`. Two plugins providing the same name is a load
    error naming both.
    """


@hookspec
def leyden_alert_handlers() -> list[HandlerSpec]:
    """Return the alert handlers this plugin provides (``.log()``, ``.post()``, ...).

    Called once when plugins are loaded. A handler's factory builds an object whose
    ``async def handle(event)`` is called off the pipeline's hot path, from a
    bounded queue; it may raise to have the delivery retried as configured. A
    handler that keeps resources between events (connections, files) may define
    ``async def aclose()``: it is called once its queue ends (task stopped, topic
    handler removed, server shutting down), even on cancellation.
    """


@hookspec
def leyden_sources() -> list[SourceSpec]:
    """Return the input sources this plugin provides (UDP, subscriptions, ...).

    Called once when plugins are loaded; the server starts each source whose config
    section is enabled, in its own nursery.
    """


@hookspec
def leyden_lambda_functions() -> list[FunctionSpec]:
    """Return functions that TICKscript lambdas may call (``sigma``, ``strLength``).

    Called once when plugins are loaded; a name clash with another plugin's function
    is a load error.
    """


@hookspec(firstresult=True)
def leyden_script_compiler() -> ScriptCompiler | None:
    """Return the compiler that turns task scripts into pipelines.

    The TICKscript language registers itself this way, so the kernel never imports
    it. The first plugin to return a compiler wins.
    """
