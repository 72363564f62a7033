"""Real receivers for the alert handler tests (not a test module): an HTTP server and
a TCP listener on loopback (port 0) recording what they get, and a sample event."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import h11
import trio

from leyden.kernel import Point, point_row, result
from leyden.plugins.alerts import AlertEvent, Level

T0 = 1577836830 * 10**9  # 2020-01-01T00:00:30Z


def sample_event(**changes) -> AlertEvent:
    point = Point("cpu", {"host": "a"}, {"value": 95.0}, T0)
    event = AlertEvent(
        id="cpu:nil",
        message="cpu:nil is CRITICAL",
        details="",
        time=T0,
        duration=20 * 10**9,
        level=Level.CRITICAL,
        data=result([point_row(point)]),
        previous_level=Level.WARNING,
        name="cpu",
        task_name="t",
        tags={"host": "a"},
        fields={"value": 95.0},
    )
    return event.replace(**changes) if changes else event


SAMPLE_JSON = (
    '{"id":"cpu:nil","message":"cpu:nil is CRITICAL","details":"","time":"2020-01-01T00:00:30Z",'
    '"duration":20000000000,"level":"CRITICAL","data":{"series":[{"name":"cpu","tags":{"host":"a"},'
    '"columns":["time","value"],"values":[["2020-01-01T00:00:30Z",95]]}]},'
    '"previousLevel":"WARNING","recoverable":true}'
)


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HTTPReceiver:
    """Answers each request with the next of ``statuses`` (then 200), or never
    answers when ``hang`` is set; records every request it read."""

    statuses: list[int] = field(default_factory=list)
    hang: bool = False
    requests: list[Request] = field(default_factory=list)
    port: int = 0
    received: trio.Event = field(default_factory=trio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def serve(self, stream: trio.SocketStream) -> None:
        conn = h11.Connection(h11.SERVER)
        request: h11.Request | None = None
        body = b""
        async with stream:
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    data = await stream.receive_some()
                    if not data:
                        return
                    conn.receive_data(data)
                elif isinstance(event, h11.Request):
                    request, body = event, b""
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    assert request is not None
                    headers = {k.decode().lower(): v.decode() for k, v in request.headers}
                    self.requests.append(
                        Request(request.method.decode(), request.target.decode(), headers, body)
                    )
                    self.received.set()
                    if self.hang:
                        await trio.sleep_forever()
                    status = self.statuses.pop(0) if self.statuses else 200
                    text = b"boom" if status >= 400 else b"ok"
                    headers_out = [("content-length", str(len(text))), ("connection", "close")]
                    for out in (h11.Response(status_code=status, headers=headers_out), h11.Data(data=text)):
                        await stream.send_all(conn.send(out))
                    await stream.send_all(conn.send(h11.EndOfMessage()))
                    return
                else:
                    return


async def start_http(nursery: trio.Nursery, receiver: HTTPReceiver) -> HTTPReceiver:
    listeners = await nursery.start(partial(trio.serve_tcp, receiver.serve, 0, host="127.0.0.1"))
    receiver.port = listeners[0].socket.getsockname()[1]
    return receiver


@dataclass
class TCPReceiver:
    """Records the bytes of every connection."""

    connections: list[bytes] = field(default_factory=list)
    port: int = 0
    closed: trio.Event = field(default_factory=trio.Event)

    async def serve(self, stream: trio.SocketStream) -> None:
        data = b""
        async with stream:
            async for chunk in stream:
                data += chunk
        self.connections.append(data)
        self.closed.set()


async def start_tcp(nursery: trio.Nursery) -> TCPReceiver:
    receiver = TCPReceiver()
    listeners = await nursery.start(partial(trio.serve_tcp, receiver.serve, 0, host="127.0.0.1"))
    receiver.port = listeners[0].socket.getsockname()[1]
    return receiver
