"""Helpers for node tests: build a node from a spec without a script, make messages,
and run a script on line protocol through the real TICKscript path."""

from __future__ import annotations

from typing import Any

from leyden.kernel import (
    Batch,
    Dimensions,
    EdgeType,
    Kernel,
    NodeContext,
    NodeStats,
    PluginRegistry,
    Point,
)
from leyden.kernel.testing import open_task

S = 1_000_000_000
#: 2020-01-01T00:00:00Z in seconds, the corpus' favourite epoch.
T0 = 1_577_836_800


def node(
    plugins: PluginRegistry,
    name: str,
    *args: Any,
    edge_in: EdgeType = EdgeType.STREAM,
    props: dict[str, Any] | None = None,
    outputs: dict[str, Any] | None = None,
) -> Any:
    """A running node of the chaining method ``name``.

    ``props`` maps property names to one call's arguments: a tuple, a bare value
    (one argument), True (a flag), or a list of tuples for repeated calls.
    ``outputs`` receives what the node publishes (``httpOut``)."""
    spec = plugins.nodes[name]
    properties: dict[str, list[tuple[Any, ...]]] = {}
    for prop, value in (props or {}).items():
        if value is True:
            properties[prop] = [()]
        elif isinstance(value, list):
            properties[prop] = value
        elif isinstance(value, tuple):
            properties[prop] = [value]
        else:
            properties[prop] = [(value,)]
    stats = NodeStats()
    published = outputs if outputs is not None else {}
    ctx = NodeContext(
        name=f"{spec.kind}1",
        kind=spec.kind,
        task_id="test",
        args=args,
        properties=properties,
        handlers=[],
        edge_in=edge_in,
        edge_out=spec.provides or edge_in,
        clock=None,  # type: ignore[arg-type]
        stats=stats,
        publish_output=published.__setitem__,
    )
    instance = spec.factory(ctx)
    instance.stats = stats
    return instance


def lambdas(plugins: PluginRegistry, *texts: str) -> tuple[Any, ...]:
    """Compiled lambdas, as a node factory receives them (``'"v" > 1'``)."""
    args = ", ".join(f"lambda: {text}" for text in texts)
    names = ", ".join(f"'r{i}'" for i in range(len(texts)))
    pipeline = Kernel(plugins).compile(f"stream|eval({args}).as({names})")
    return next(n.args for n in pipeline.nodes if n.spec.name == "eval")


def point(
    seconds: float,
    fields: dict[str, Any],
    tags: dict[str, str] | None = None,
    *,
    name: str = "cpu",
    group_by: tuple[str, ...] = (),
) -> Point:
    """A point at ``T0 + seconds``, grouped by ``group_by``."""
    tags = tags or {}
    dims = Dimensions(group_by)
    return Point(name, tags, fields, int((T0 + seconds) * S), None, dims.group_id(name, tags), dims)


def batch(end_seconds: float, points: list[Point], tags: dict[str, str] | None = None) -> Batch:
    """A batch ending at ``T0 + end_seconds`` in the group of its first point."""
    first = points[0] if points else point(0, {})
    return Batch(
        first.name, tags or {}, points, int((T0 + end_seconds) * S), group=first.group, dims=first.dims
    )


def at(seconds: float) -> int:
    """Nanoseconds of ``T0 + seconds``."""
    return int((T0 + seconds) * S)


async def run_script(script: str, data: str, *, output: str = "out", precision: str = "s") -> Any:
    """Run ``script`` on line protocol ``data`` and return the ``httpOut`` document."""
    async with open_task(script) as task:
        errors = await task.write(data, precision=precision)
        assert not errors, errors
        assert not task.error, task.error
        return task.output(output)


def values(document: Any, series: int = 0) -> list[list[Any]]:
    """The rows of one series of a result document."""
    return document["series"][series]["values"]
