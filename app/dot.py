"""A running task's graph and counters, as Kapacitor shows them.

``kapacitor show`` prints a task's DOT graph with every node's statistics and every
edge's count of processed messages, and the API's ``stats`` field carries the same
numbers as JSON. Both are read from the kernel's plain per-node counters: an edge
processes what its parent emits (every child of a node receives the same chunks).
"""

from __future__ import annotations

from typing import Any

from leyden.kernel import RunningTask
from leyden.tick import format_go_duration


def node_stats(task: RunningTask) -> dict[str, dict[str, int]]:
    """``node-stats``: per node name, sorted, Kapacitor's counters."""
    out = {}
    for node in sorted(task.pipeline.nodes, key=lambda n: n.name):
        stats = task.stats[node.name]
        values = {
            "avg_exec_time_ns": stats.avg_exec_time_ns,
            "collected": stats.collected,
            "emitted": stats.emitted,
            "errors": stats.errors,
            "working_cardinality": task.cardinality(node.name),
            **task.statistics(node.name),
        }
        out[node.name] = dict(sorted(values.items()))
    return out


def executing_dot(task: RunningTask, throughput: float, *, labels: bool = False) -> str:
    """The DOT graph of a running task with its counters (``dot-view`` attributes or labels)."""
    unit = "points" if task.pipeline.type.value == "stream" else "batches"
    lines = [f"digraph {task.id} {{"]
    if labels:
        lines.append(f'graph [label="Throughput: {throughput:.2f} {unit}/s"];')
    else:
        lines.append(f'graph [throughput="{throughput:.2f} {unit}/s"];')
    for node in task.pipeline.nodes:
        values = _dot_values(task, node.name)
        lines.append("")
        if labels:
            text = "\\r".join(f"{k}={v}" for k, v in values)
            lines.append(f'{node.name} [xlabel="{text}"];')
        else:
            text = "".join(f'{k}="{v}" ' for k, v in values)
            lines.append(f"{node.name} [{text}];")
        processed = task.stats[node.name].emitted
        for child in node.children:
            attr = f'label="processed={processed}"' if labels else f'processed="{processed}"'
            lines.append(f"{node.name} -> {child.name} [{attr}];")
    lines.append("}")
    return "\n".join(lines)


def _dot_values(task: RunningTask, name: str) -> list[tuple[str, Any]]:
    """A node's attributes in the DOT graph, sorted by name as Kapacitor prints them."""
    stats = task.stats[name]
    return sorted(
        [
            ("avg_exec_time_ns", format_go_duration(stats.avg_exec_time_ns)),
            ("errors", stats.errors),
            ("working_cardinality", task.cardinality(name)),
            *task.statistics(name).items(),
        ]
    )
