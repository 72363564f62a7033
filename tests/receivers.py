"""Real receivers on loopback for tests of everything that sends (not a test module).

An HTTP server and a TCP listener on port 0 that record what they get, for the
``.post()``/``.tcp()`` alert handlers, topic handlers and ``|httpPost()``::

    async with trio.open_nursery() as nursery:
        receiver = await start_http(nursery, HTTPReceiver(statuses=[503]))
        ...  # post to receiver.url + "/hook"
        (request,) = await receiver.wait_for(1)
        nursery.cancel_scope.cancel()

Test modules import it as ``from receivers import ...``, as they import ``conformance``:
``tests/`` holds a ``conftest.py`` and no ``__init__.py``, so pytest puts it on ``sys.path``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import h11
import trio

#: How long a test waits for requests before it fails instead of hanging.
WAIT_SECONDS = 10


@dataclass
class Request:
    """One request as the receiver read it; header names are lower case."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HTTPReceiver:
    """An HTTP server recording every request. It answers each with the next of
    ``statuses``, then with ``status``; the body is ``boom`` for a status >= 400, else
    ``ok``. While ``hold`` is an unset event, requests are read and recorded but not
    answered (a slow or dead receiver); a client that gave up is not an error."""

    statuses: list[int] = field(default_factory=list)
    status: int = 200
    hold: trio.Event | None = None
    #: Serve several requests per connection instead of closing after one.
    keep_alive: bool = False
    requests: list[Request] = field(default_factory=list)
    #: Connections accepted, and those the client has closed.
    connections: int = 0
    closed_connections: int = 0
    port: int = 0
    _changed: trio.Event = field(default_factory=trio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def bodies(self) -> list[Any]:
        """The JSON of every request body, in order."""
        return [request.json() for request in self.requests]

    async def wait_for(self, count: int) -> list[Request]:
        """Wait until ``count`` requests have arrived; all requests so far."""
        with trio.fail_after(WAIT_SECONDS):
            while len(self.requests) < count:
                await self._changed.wait()
        return self.requests

    async def serve(self, stream: trio.SocketStream) -> None:
        self.connections += 1
        try:
            async with stream:
                await self._serve_one(stream)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass  # the client hung up, e.g. after its timeout
        self.closed_connections += 1
        self._changed.set()
        self._changed = trio.Event()

    async def wait_until(self, done: Any) -> None:
        """Wait until ``done()`` holds (it is checked after every request and close)."""
        with trio.fail_after(WAIT_SECONDS):
            while not done():
                await self._changed.wait()

    async def _serve_one(self, stream: trio.SocketStream) -> None:
        conn = h11.Connection(h11.SERVER)
        request: h11.Request | None = None
        body = b""
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
                self.requests.append(Request(request.method.decode(), request.target.decode(), headers, body))
                self._changed.set()
                self._changed = trio.Event()
                if self.hold is not None:
                    await self.hold.wait()
                await self._respond(stream, conn)
                if not self.keep_alive:
                    return
                conn.start_next_cycle()
                request = None
            else:
                return

    async def _respond(self, stream: trio.SocketStream, conn: h11.Connection) -> None:
        status = self.statuses.pop(0) if self.statuses else self.status
        text = b"boom" if status >= 400 else b"ok"
        headers = [("content-length", str(len(text)))]
        if not self.keep_alive:
            headers.append(("connection", "close"))
        for out in (
            h11.Response(status_code=status, headers=headers),
            h11.Data(data=text),
            h11.EndOfMessage(),
        ):
            await stream.send_all(conn.send(out))


async def start_http(nursery: trio.Nursery, receiver: HTTPReceiver | None = None) -> HTTPReceiver:
    """Serve ``receiver`` (a default one if None) on a free loopback port."""
    if receiver is None:
        receiver = HTTPReceiver()
    listeners = await nursery.start(partial(trio.serve_tcp, receiver.serve, 0, host="127.0.0.1"))
    receiver.port = listeners[0].socket.getsockname()[1]
    return receiver


@dataclass
class TCPReceiver:
    """Records the bytes of every connection, once the client closes it."""

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
    """A :class:`TCPReceiver` on a free loopback port."""
    receiver = TCPReceiver()
    listeners = await nursery.start(partial(trio.serve_tcp, receiver.serve, 0, host="127.0.0.1"))
    receiver.port = listeners[0].socket.getsockname()[1]
    return receiver
