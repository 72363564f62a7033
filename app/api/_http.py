"""Shared by every API area: JSON answers and errors in Kapacitor's shapes, the query
parameters several areas accept, and the way to reach the server's services."""

from __future__ import annotations

import json
from typing import Any

from quart import Response, current_app, request

from leyden.kernel import format_time

from ..errors import InvalidRequestError
from ..services import Services

BASE = "/kapacitor/v1"
#: Go's zero time, which Kapacitor shows for "never".
ZERO_TIME = "0001-01-01T00:00:00Z"
JSON_TYPE = "application/json; charset=utf-8"


def services() -> Services:
    return current_app.extensions["leyden"]


def json_response(body: Any, status: int = 200, *, pretty: bool = True) -> Response:
    """A JSON answer; management documents are indented as Kapacitor's are."""
    text = json.dumps(body, indent=4 if pretty else None, ensure_ascii=False)
    return Response(text, status=status, content_type=JSON_TYPE)


def error_response(message: str, status: int) -> Response:
    return json_response({"error": message}, status)


def no_content() -> Response:
    response = Response(b"", status=204)
    del response.headers["Content-Type"]
    return response


def link(href: str) -> dict[str, str]:
    return {"rel": "self", "href": href}


def api_time(ns: int) -> str:
    return format_time(ns) if ns else ZERO_TIME


async def json_body() -> dict[str, Any]:
    """The request's JSON object; anything else is Kapacitor's "invalid JSON"."""
    data = await request.get_data(as_text=True)
    try:
        body = json.loads(data)
    except ValueError:
        raise InvalidRequestError("invalid JSON") from None
    if not isinstance(body, dict):
        raise InvalidRequestError("invalid JSON")
    return body


def formatted_script() -> bool:
    """``script-format=formatted`` (the default) or ``raw``."""
    value = request.args.get("script-format", "") or "formatted"
    if value not in ("formatted", "raw"):
        raise InvalidRequestError(f"invalid script-format parameter {json.dumps(value)}")
    return value == "formatted"


def dot_view_labels() -> bool:
    value = request.args.get("dot-view", "") or "attributes"
    if value not in ("attributes", "labels"):
        raise InvalidRequestError(f"invalid dot-view parameter {json.dumps(value)}")
    return value == "labels"


def int_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidRequestError(f"invalid {name} parameter {json.dumps(raw)} must be an integer") from None


def list_fields(all_fields: tuple[str, ...]) -> list[str]:
    """``fields=`` of a list request: all by default; id and link are always given.
    A field not in ``all_fields`` is refused (400)."""
    fields = request.args.getlist("fields")
    if not fields:
        return list(all_fields)
    unknown = [name for name in fields if name not in all_fields]
    if unknown:
        raise InvalidRequestError(f"unsupported field {json.dumps(unknown[0])}")
    return [*fields, "id", "link"]
