"""One small tree of errors; each says what went wrong and, where it can, what to do."""

from __future__ import annotations


class LeydenError(Exception):
    """Base of every error leyden raises on purpose."""


class TickError(LeydenError):
    """A TICKscript is wrong; ``line`` and ``column`` point at the culprit (1-based)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        self.message = message
        self.line = line
        self.column = column
        where = f"line {line} char {column}: " if line else ""
        super().__init__(f"{where}{message}")


class TickSyntaxError(TickError):
    """The script does not parse."""


class PluginLoadError(LeydenError):
    """A plugin could not be loaded or declares something invalid."""


class TaskError(LeydenError):
    """A task cannot be defined, started or run."""


class PointError(LeydenError):
    """Evaluating one message failed; the message is dropped and counted as an error.

    Nodes raise it (and lambdas raise subclasses of it) for what Kapacitor logs and
    skips: a missing field, a type mismatch, an out-of-range argument.
    """


class LineProtocolError(LeydenError):
    """A line of line protocol is malformed; ``line`` is its 1-based number."""

    def __init__(self, message: str, line: int) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}")
