"""``|httpPost(url)``: POST every point or batch as JSON to an HTTP endpoint.

Each point, and each batch of a group, is posted as Kapacitor's result document
``{"series": [row]}``. The URL is given as the argument or by naming a ``[[httppost]]``
endpoint of the server configuration, which may add headers and basic auth::

    stream
        |window()
            .period(10s)
            .every(5s)
        |top(10, 'value')
        |httpPost('http://example.com/api/top10')
            .header('X-Source', 'leyden')
            .timeout(5s)
            .captureResponse()

The data passes on unchanged and at once: posts are queued (bounded) and sent one
after the other, in order, by a task of their own, so a slow or dead receiver never
stalls the pipeline; what does not fit in the queue is dropped and counted as an
error. Failed posts are logged (with the response body under ``.captureResponse()``).
Only ``.codeField(name)``, which adds the response status to the data, makes the
data wait for its post.

An endpoint with a ``row-template`` (or ``row-template-file``) posts that Go template
rendered instead of the JSON, with Kapacitor's data: ``.Name``, ``.Tags`` and
``.Values``, a list with a map per row from column (``time`` and the fields) to
value, as in ``row-template = '{{ range .Values }}{{ index . "value" }} {{ end }}'``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx
import trio

from leyden.kernel import (
    AsyncNode,
    Batch,
    Chunk,
    Emit,
    Message,
    NodeContext,
    NodeSpec,
    Point,
    PropertySpec,
    ValueType,
    batch_row,
    hookimpl,
    params,
    point_row,
)
from leyden.tick.gotemplate import (
    GoStruct,
    GoTime,
    StringMap,
    Template,
    TemplateExecError,
)

from .._endpoints import endpoint_template, find_endpoint
from .._tls import tls_context

log = logging.getLogger("leyden.node.httppost")

#: Messages waiting to be posted before new ones are dropped.
QUEUE_SIZE = 1000

#: Failures logged in full before the node stays quiet (they are still counted).
_LOGGED_FAILURES = 10

NS = 1_000_000_000


class HTTPPostNode(AsyncNode):
    """Posts what passes through; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        urls = [str(u) for u in ctx.args]
        endpoints = [str(c[0]) for c in ctx.calls("endpoint")]
        headers = {str(k): str(v) for k, v in ctx.calls("header")}
        _validate(urls, endpoints, headers)
        self.headers: dict[str, str] = {}
        self.auth: tuple[str, str] | None = None
        self.row_template: Template | None = None
        if urls:
            self.url = urls[0]
        else:
            self._use_endpoint(endpoints[0], ctx.service("config"))
        self.headers.update(headers)
        if self.row_template is None:
            self.headers.setdefault("Content-Type", "application/json")
        timeout: int = ctx.prop("timeout", 0)
        self.timeout = timeout / NS if timeout > 0 else None
        self.capture_response = ctx.flag("captureResponse")
        self.code_field: str = ctx.prop("codeField", "")
        self.failures = 0
        self.queue_size = QUEUE_SIZE

    def _use_endpoint(self, name: str, config: Any) -> None:
        entry = find_endpoint(config.section("httppost") if config is not None else None, name)
        if entry is None:
            raise ValueError(f"endpoint '{name}' does not exist")
        self.url = str(entry.get("url", ""))
        self.headers.update({str(k): str(v) for k, v in (entry.get("headers") or {}).items()})
        auth = entry.get("basic-auth") or {}
        if auth.get("username") and auth.get("password"):
            self.auth = (str(auth["username"]), str(auth["password"]))
        self.row_template = endpoint_template(entry, "row-template", "httpPost")

    async def run(self, inbox: trio.MemoryReceiveChannel[tuple[int, Chunk]], emit: Emit) -> None:
        async with httpx.AsyncClient(verify=tls_context(), timeout=self.timeout, auth=self.auth) as client:
            if self.code_field:
                await self._post_inline(client, inbox, emit)
                return
            send, receive = trio.open_memory_channel[Point | Batch](self.queue_size)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._deliver, client, receive)
                async with send:
                    async for _src, chunk in inbox:
                        for msg in chunk:
                            if type(msg) is Point or type(msg) is Batch:
                                try:
                                    send.send_nowait(msg)  # type: ignore[arg-type]
                                except trio.WouldBlock:
                                    self._failed("the post queue is full; dropped a post")
                        await emit(chunk)

    async def _deliver(
        self, client: httpx.AsyncClient, queue: trio.MemoryReceiveChannel[Point | Batch]
    ) -> None:
        async with queue:
            async for msg in queue:
                await self.post(client, msg)

    async def _post_inline(
        self, client: httpx.AsyncClient, inbox: trio.MemoryReceiveChannel[tuple[int, Chunk]], emit: Emit
    ) -> None:
        """With ``.codeField()``: post each message, then pass it on with the status."""
        async for _src, chunk in inbox:
            out: list[Message] = []
            for msg in chunk:
                if type(msg) is Point:
                    code = await self.post(client, msg)  # type: ignore[arg-type]
                    out.append(msg.replace(fields={**msg.fields, self.code_field: code}))  # type: ignore[union-attr]
                elif type(msg) is Batch:
                    code = await self.post(client, msg)  # type: ignore[arg-type]
                    points = [p.replace(fields={**p.fields, self.code_field: code}) for p in msg.points]  # type: ignore[union-attr]
                    out.append(msg.replace(points=points))  # type: ignore[union-attr]
                else:
                    out.append(msg)
            await emit(out)

    async def post(self, client: httpx.AsyncClient, msg: Point | Batch) -> int:
        """POST one message; returns the HTTP status, or 0 when no response came."""
        try:
            body = self._body(msg)
        except TemplateExecError as err:
            self._failed(f"failed to execute the row template: {err}")
            return 0
        try:
            response = await client.post(self.url, content=body, headers=self.headers)
        except httpx.HTTPError as err:
            self._failed(f"failed to POST data to {self.url}: {err!r}")
            return 0
        if response.status_code // 100 != 2:
            detail = (
                response.text
                if self.capture_response
                else "unknown error, use .captureResponse() to capture the HTTP response"
            )
            self._failed(f"POST to {self.url} returned status {response.status_code}: {detail}")
        return response.status_code

    def _body(self, msg: Point | Batch) -> str:
        if self.row_template is not None:
            return self.row_template.render(mapped_row(msg))
        row = batch_row(msg) if type(msg) is Batch else point_row(msg)  # type: ignore[arg-type]
        return json.dumps({"series": [row]}, separators=(",", ":")) + "\n"

    def _failed(self, message: str) -> None:
        self.stats.errors += 1
        self.failures += 1
        if self.failures <= _LOGGED_FAILURES:
            log.error("httpPost: %s", message)


def mapped_row(msg: Point | Batch) -> GoStruct:
    """Kapacitor's data for row templates: the row with a column -> value map per row."""
    if type(msg) is Point:
        values = [{"time": GoTime(msg.time), **msg.fields}]
    else:
        row = batch_row(msg)  # type: ignore[arg-type]
        columns = row.get("columns", [])
        values = [
            {**dict(zip(columns, raw, strict=True)), "time": GoTime(p.time)}
            for p, raw in zip(msg.points, row.get("values", []), strict=True)  # type: ignore[union-attr]
        ]
    return GoStruct("kapacitor.mappedRow", {"Name": msg.name, "Tags": StringMap(msg.tags), "Values": values})


def _validate(urls: list[str], endpoints: list[str], headers: Mapping[str, str]) -> None:
    if len(urls) >= 2:
        raise ValueError(f"httpPost expects 0 or 1 arguments, got {len(urls)}")
    if len(endpoints) > 1:
        raise ValueError(f"httpPost expects 0 or 1 endpoints, got {len(endpoints)}")
    if not urls and not endpoints:
        raise ValueError("must provide url or endpoint")
    if urls and endpoints:
        raise ValueError("only one endpoint and url may be specified")
    if any(k.upper() == "AUTHENTICATE" for k in headers):
        raise ValueError("cannot set 'authenticate' header")


SPEC = NodeSpec(
    name="httpPost",
    kind="http_post",
    factory=HTTPPostNode,
    args=params(ValueType.STRING, variadic=True),
    properties={
        "endpoint": PropertySpec(
            "endpoint", params(ValueType.STRING), repeatable=True, doc="A [[httppost]] endpoint by name."
        ),
        "header": PropertySpec(
            "header", params(ValueType.STRING, ValueType.STRING), repeatable=True, doc="A request header."
        ),
        "timeout": PropertySpec("timeout", params(ValueType.DURATION), doc="Give up on a post after this."),
        "captureResponse": PropertySpec(
            "captureResponse", params(ValueType.BOOL, min_args=0), doc="Log the body of failed posts."
        ),
        "codeField": PropertySpec("codeField", params(ValueType.STRING), doc="Add the response status."),
    },
    doc="Posts points and batches as JSON to an HTTP endpoint.",
)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [SPEC]
