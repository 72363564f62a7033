"""The ``.log()`` alert handler: one JSON line per event, appended to a file.

::

    stream
        |from().measurement('cpu')
        |alert()
            .crit(lambda: "usage_idle" < 10)
            .log('/var/log/alerts.log')
                .mode(0644)

As a topic handler: ``{"kind": "log", "options": {"path": "/var/log/alerts.log"}}``.
The file is opened for every event (so log rotation just works) and created with
``mode`` (default 0600) if missing; the path must be absolute, as in Kapacitor.
Delivery settings come from the ``[log]`` config section (``retries``,
``retry-interval``, ``timeout``, ``queue-size``).
"""

from __future__ import annotations

import os
from typing import Any

from leyden.kernel import HandlerSpec, PropertySpec, ValueType, hookimpl, params

from ._common import DeliveryPolicy, Options
from ._event import AlertEvent

DEFAULT_MODE = 0o600


class LogHandler:
    """Appends each event's JSON to ``path``."""

    def __init__(self, path: str, mode: int = DEFAULT_MODE, policy: DeliveryPolicy | None = None) -> None:
        self.path = path
        self.mode = mode
        self.policy = policy or DeliveryPolicy()

    async def handle(self, event: AlertEvent) -> None:
        # A short append to a local file: done in place, as Kapacitor does, rather
        # than paying a thread hop per event.
        data = (event.to_json() + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, self.mode)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def build(options: dict[str, Any], section: Any) -> LogHandler:
    opts = Options("log", options, {"path", "mode"})
    path = opts.str("path") or ""
    if not os.path.isabs(path):
        raise ValueError(f"log: alert log path must be absolute: {path!r} is not absolute")
    mode = options.get("mode", DEFAULT_MODE)
    if isinstance(mode, str):
        try:
            mode = int(mode, 8)
        except ValueError:
            raise ValueError(f"log: invalid file mode {mode!r}, must be octal (e.g. 0644)") from None
    if isinstance(mode, bool) or not isinstance(mode, int) or not mode & 0o200:
        raise ValueError(f"log: invalid file mode {mode!r}, must be user writable")
    return LogHandler(path, mode, DeliveryPolicy.from_section(section, "log"))


@hookimpl
def leyden_alert_handlers() -> list[HandlerSpec]:
    return [
        HandlerSpec(
            name="log",
            factory=build,
            args=params(ValueType.STRING),
            arg_names=("path",),
            properties={"mode": PropertySpec("mode", params(ValueType.INT), doc="File mode, e.g. 0644.")},
            config_section="log",
            doc="Append each alert event as a JSON line to a file.",
        )
    ]
