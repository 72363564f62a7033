"""A task's pipeline as a graph of node descriptions: what the compiler hands the kernel.

A pipeline is data, not behaviour: each :class:`PipelineNode` names its spec, the
arguments and properties the user gave, and its parents and children. The kernel
turns it into running nodes; the API renders it as Kapacitor's DOT graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ._messages import DBRP
from ._spec import EdgeType, HandlerConfig, NodeSpec


@dataclass(eq=False)
class PipelineNode:
    """One node of a pipeline; ``name`` is Kapacitor's ``<kind><id>`` (``window2``)."""

    id: int
    spec: NodeSpec
    args: tuple[Any, ...] = ()
    properties: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    handlers: list[HandlerConfig] = field(default_factory=list)
    parents: list[PipelineNode] = field(default_factory=list)
    children: list[PipelineNode] = field(default_factory=list)
    edge_in: EdgeType | None = None
    edge_out: EdgeType = EdgeType.STREAM
    pos: tuple[int, int] = (0, 0)

    @property
    def name(self) -> str:
        return f"{self.spec.kind}{self.id}"

    def __repr__(self) -> str:
        return f"PipelineNode({self.name})"


@dataclass
class Pipeline:
    """The nodes of a task in creation order; sources have no parents."""

    nodes: list[PipelineNode]
    type: EdgeType
    dbrps: list[DBRP] = field(default_factory=list)

    def dot(self, name: str) -> str:
        """The DOT graph without statistics, as Kapacitor shows a task that is not running."""
        lines = [f"digraph {name} {{"]
        for node in self.nodes:
            lines.extend(f"{node.name} -> {child.name};" for child in node.children)
        lines.append("}")
        return "\n".join(lines)


@dataclass(frozen=True)
class TaskVar:
    """A task or template variable as Kapacitor's API carries it."""

    type: str
    value: Any
    description: str = ""


class ScriptCompiler(Protocol):
    """Turns a script into a pipeline; provided by a language plugin (TICKscript)."""

    def compile(
        self,
        script: str,
        plugins: Any,
        *,
        vars: Mapping[str, TaskVar] | None = None,
        task_type: EdgeType | None = None,
        config: Any = None,
    ) -> Pipeline:
        """Parse, check and build; raises ``TickError`` with line and column.
        ``config`` is the server's configuration (sections by name through
        ``config.get(name)``), for language features configured there, such as
        Kapacitor's ``[deadman]``; None means every default."""
        ...

    def declared_vars(self, script: str, plugins: Any) -> dict[str, TaskVar]:
        """The variables a script declares, for templates."""
        ...

    def format(self, script: str) -> str:
        """The script in the canonical layout (Kapacitor's ``script-format=formatted``)."""
        ...
