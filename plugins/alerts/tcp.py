"""The ``.tcp()`` alert handler: each event's JSON sent over a new TCP connection.

::

    stream
        |from().measurement('cpu')
        |alert()
            .crit(lambda: "usage_idle" < 10)
            .tcp('alerts.example.com:7777')

As a topic handler: ``{"kind": "tcp", "options": {"address": "alerts.example.com:7777"}}``.
The bytes are exactly Kapacitor's: the JSON document, the encoder's newline and one
more newline. Delivery settings come from the ``[tcp]`` config section.
"""

from __future__ import annotations

from typing import Any

import trio

from leyden.kernel import HandlerSpec, ValueType, hookimpl, params

from ._common import DeliveryPolicy, Options
from ._event import AlertEvent


class TCPHandler:
    """Connects to ``host:port`` for every event and writes its JSON."""

    def __init__(self, host: str, port: int, policy: DeliveryPolicy | None = None) -> None:
        self.host = host
        self.port = port
        self.policy = policy or DeliveryPolicy()

    async def handle(self, event: AlertEvent) -> None:
        data = (event.to_json() + "\n\n").encode("utf-8")
        stream = await trio.open_tcp_stream(self.host, self.port)
        async with stream:
            await stream.send_all(data)


def split_address(address: str) -> tuple[str, int]:
    """``"host:port"`` or ``"[::1]:port"`` -> ``(host, port)``; raises ValueError."""
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"tcp: address must be host:port, not {address!r}")
    return host.strip("[]"), int(port)


def build(options: dict[str, Any], section: Any) -> TCPHandler:
    opts = Options("tcp", options, {"address"})
    host, port = split_address(opts.str("address") or "")
    return TCPHandler(host, port, DeliveryPolicy.from_section(section, "tcp"))


@hookimpl
def leyden_alert_handlers() -> list[HandlerSpec]:
    return [
        HandlerSpec(
            name="tcp",
            factory=build,
            args=params(ValueType.STRING),
            arg_names=("address",),
            config_section="tcp",
            doc="Send each alert event's JSON to host:port over TCP.",
        )
    ]
