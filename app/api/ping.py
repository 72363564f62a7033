"""``/kapacitor/v1/ping``: is the server up, and which Kapacitor does it speak."""

from __future__ import annotations

from quart import Blueprint, Response

from ._http import BASE, no_content

blueprint = Blueprint("ping", __name__)


@blueprint.route(f"{BASE}/ping", methods=["GET", "HEAD"])
async def ping() -> Response:
    return no_content()
