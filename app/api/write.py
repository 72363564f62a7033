"""``POST /write`` and ``POST /kapacitor/v1/write``: line protocol in, as InfluxDB takes it.

Kapacitor answers InfluxDB's write API so Telegraf and InfluxDB subscriptions can
point at it. Parameters: ``db`` (required), ``rp`` (default ``autogen``) and
``precision`` (n, ns, u, ms, s, m, h; default nanoseconds); a body may be gzipped.
Malformed lines get a 400 naming them, while the good lines are kept (InfluxDB's
partial write). This is the benchmark's hot path: it does no more than read the
body, decode it and hand it to the kernel.
"""

from __future__ import annotations

import zlib

from quart import Blueprint, Response, request

from leyden.kernel import PRECISIONS, LineProtocolError

from ._http import BASE, error_response, no_content, services

blueprint = Blueprint("write", __name__)

#: Bad lines named in an error answer; the rest are only counted.
MAX_REPORTED_LINES = 10


@blueprint.post("/write")
@blueprint.post(f"{BASE}/write")
async def write() -> Response:
    args = request.args
    db = args.get("db")
    if not db:
        return error_response("database is required", 400)
    rp = args.get("rp") or "autogen"
    precision = args.get("precision") or "ns"
    if precision not in PRECISIONS:
        return error_response(f"invalid precision {precision!r}: use n, u, ms, s, m or h", 400)
    body = await request.get_data(cache=False)
    if request.headers.get("Content-Encoding", "").lower() == "gzip":
        limit = services().config.http.max_body_size
        try:
            body = gunzip(body, limit)
        except zlib.error as err:
            return error_response(f"invalid gzip body: {err}", 400)
        except BodyTooLarge:
            return error_response(f"the decompressed body is larger than {limit} bytes", 413)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        return error_response(f"the body is not UTF-8: {err}", 400)
    written = await services().kernel.write_lines(text, db, rp, precision)
    if written.errors:
        return error_response(_describe(written.points, written.errors), 400)
    return no_content()


class BodyTooLarge(Exception):
    """A gzip body that inflates past ``http.max-body-size``."""


def gunzip(data: bytes, limit: int) -> bytes:
    """The gzip members of ``data`` inflated, never holding more than ``limit`` bytes
    (0: no limit), so a small body cannot inflate into gigabytes."""
    out = bytearray()
    while True:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        room = limit - len(out) + 1 if limit else 0
        out += inflater.decompress(data, room)
        if limit and len(out) > limit:
            raise BodyTooLarge
        if not inflater.eof:
            raise zlib.error("unexpected end of the gzip stream")
        data = inflater.unused_data
        if not data:
            return bytes(out)


def _describe(written: int, errors: list[LineProtocolError]) -> str:
    shown = "; ".join(str(e) for e in errors[:MAX_REPORTED_LINES])
    if len(errors) > MAX_REPORTED_LINES:
        shown += f"; and {len(errors) - MAX_REPORTED_LINES} more"
    if written:
        return f"partial write: {shown} dropped={len(errors)}"
    return shown
