"""``/kapacitor/v1/sideload/reload``: read the files of every sideload source again."""

from __future__ import annotations

from quart import Blueprint, Response

from ..errors import AppError
from ._http import BASE, no_content, services

blueprint = Blueprint("sideload", __name__)


@blueprint.route(f"{BASE}/sideload/reload", methods=["POST"])
async def reload() -> Response:
    errors = services().sideload.reload()
    if errors:
        raise AppError("failed to reload sideload sources: " + "; ".join(errors))
    return no_content()
