"""``|log()``: logs every point and batch passing through, unchanged.

Each message becomes one record of the ``leyden.node.log`` logger at the node's
level (``DEBUG``, ``INFO``, ``WARN`` or ``ERROR``; ``INFO`` by default), carrying the
task and node names, the optional prefix and the data as Kapacitor's JSON row::

    stream
        |from()
            .measurement('cpu')
        |log()
            .level('DEBUG')
            .prefix('raw')

Rendering is skipped entirely when the logger would drop the record.
"""

from __future__ import annotations

import json
import logging

from leyden.kernel import (
    Batch,
    Chunk,
    Node,
    NodeContext,
    NodeSpec,
    Point,
    PropertySpec,
    batch_row,
    hookimpl,
    params,
    point_row,
)
from leyden.kernel import ValueType as V

log = logging.getLogger("leyden.node.log")

LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING, "ERROR": logging.ERROR}


class LogNode(Node):
    """Logs what passes; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        level = str(ctx.prop("level", "INFO")).upper()
        if level not in LEVELS:
            raise ValueError(f"invalid log level {level!r}: use one of {', '.join(LEVELS)}")
        self.level = LEVELS[level]
        self.prefix: str = ctx.prop("prefix", "")
        self.where = {"task": ctx.task_id, "node": ctx.name, "prefix": self.prefix}

    def process(self, chunk: Chunk) -> Chunk:
        if not log.isEnabledFor(self.level):
            return chunk
        for msg in chunk:
            kind = type(msg)
            if kind is Point:
                self._log("point", point_row(msg))  # type: ignore[arg-type]
            elif kind is Batch:
                self._log("batch", batch_row(msg))  # type: ignore[arg-type]
        return chunk

    def _log(self, what: str, row: dict[str, object]) -> None:
        prefix = f"{self.prefix} " if self.prefix else ""
        log.log(self.level, "%s%s %s", prefix, what, json.dumps(row, default=str), extra=self.where)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="log",
            kind="log",
            factory=LogNode,
            properties={
                "level": PropertySpec("level", params(V.STRING), doc="DEBUG, INFO, WARN or ERROR."),
                "prefix": PropertySpec("prefix", params(V.STRING), doc="Text put before each record."),
            },
            doc=__doc__ or "",
        )
    ]
