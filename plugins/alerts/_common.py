"""What every alert handler shares: reading options, durations, the delivery policy.

Handlers are built from options (see :class:`leyden.kernel.HandlerSpec`); these
helpers read them with clear errors, so a misspelt option fails when the task or
topic handler is defined, not when the first alert fires.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from leyden.kernel import LeydenError
from leyden.tick import parse_go_duration

NS = 1_000_000_000


class HandlerRefused(LeydenError):
    """The handler will not deliver this event (for example, a command that is not
    allowed to run); it is logged and not retried."""


def parse_duration(value: Any) -> int:
    """Nanoseconds from an int (nanoseconds, as scripts pass durations) or a Go
    duration string (``"10s"``, ``"1m30s"``, ``"250ms"``) as config files hold them."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"invalid duration {value!r}")
    return value if isinstance(value, int) else parse_go_duration(value)


class Options:
    """Typed access to a handler's options; unknown keys are an error at build time."""

    def __init__(self, handler: str, options: Mapping[str, Any], known: set[str]) -> None:
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(f"{handler}: unknown option {unknown[0]!r} (known: {', '.join(sorted(known))})")
        self.handler = handler
        self.options = options

    def str(self, key: str, default: str | None = None) -> str | None:
        value = self.options.get(key, default)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{self.handler}: option {key!r} must be a string, not {value!r}")
        return value

    def bool(self, key: str, default: bool = False) -> bool:
        value = self.options.get(key, default)
        if not isinstance(value, bool):
            raise ValueError(f"{self.handler}: option {key!r} must be true or false, not {value!r}")
        return value

    def int(self, key: str, default: int) -> int:
        value = self.options.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{self.handler}: option {key!r} must be an integer, not {value!r}")
        return value

    def duration(self, key: str, default: int = 0) -> int:
        value = self.options.get(key)
        if value is None:
            return default
        try:
            return parse_duration(value)
        except ValueError as err:
            raise ValueError(f"{self.handler}: option {key!r}: {err}") from None

    def str_list(self, key: str) -> list[str]:
        value = self.options.get(key, [])
        if isinstance(value, str) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{self.handler}: option {key!r} must be a list of strings, not {value!r}")
        return list(value)

    def str_map(self, key: str) -> dict[str, str]:
        value = self.options.get(key) or {}
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise ValueError(f"{self.handler}: option {key!r} must map strings to strings, not {value!r}")
        return dict(value)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How a handler's events are delivered off the pipeline's hot path.

    ``queue_size`` events wait for the handler (Kapacitor buffers 5000 per handler);
    beyond that new events are dropped and counted. A delivery that raises or takes
    longer than ``timeout_ns`` is retried ``retries`` times, ``retry_interval_ns``
    apart, doubling each time.

    Read from the handler's config section: ``retries``, ``retry-interval``,
    ``timeout``, ``queue-size``.
    """

    retries: int = 2
    retry_interval_ns: int = NS
    timeout_ns: int = 30 * NS
    queue_size: int = 5000

    KEYS = frozenset({"retries", "retry-interval", "timeout", "queue-size"})

    @classmethod
    def from_section(cls, section: Any, handler: str = "handler") -> DeliveryPolicy:
        """The policy in a config table (unknown keys are left to the handler)."""
        if not isinstance(section, Mapping):
            return cls()
        opts = Options(handler, {k: v for k, v in section.items() if k in cls.KEYS}, set(cls.KEYS))
        default = cls()
        policy = cls(
            retries=opts.int("retries", default.retries),
            retry_interval_ns=opts.duration("retry-interval", default.retry_interval_ns),
            timeout_ns=opts.duration("timeout", default.timeout_ns),
            queue_size=opts.int("queue-size", default.queue_size),
        )
        if policy.retries < 0 or policy.queue_size < 1 or policy.timeout_ns <= 0:
            raise ValueError(f"{handler}: retries must be >= 0, queue-size >= 1 and timeout > 0")
        return policy
