"""Kapacitor's HTTP API v1, as a quart-trio application.

One blueprint per area, registered from :data:`AREAS`: adding an area (alert
topics, recordings, ...) is one new module with a ``blueprint`` and one line here.
Every error, from a handler or from routing, is answered as Kapacitor does:
``{"error": "..."}`` with the status (404 for unknown paths, 405 for wrong methods).
"""

from __future__ import annotations

import logging
from pathlib import Path

from quart import Response, request
from quart_trio import QuartTrio
from werkzeug.exceptions import HTTPException

from .. import KAPACITOR_VERSION
from ..errors import AppError
from ..services import Services
from . import alerts, config, debug, ping, sideload, tasks, templates, write
from ._http import error_response

log = logging.getLogger("leyden.api")

#: The API's areas, each a module with a ``blueprint``.
AREAS = [ping, write, tasks, templates, debug, config, alerts, sideload]


def create_app(services: Services) -> QuartTrio:
    """The API of one server."""
    # explicit paths: Flask's package lookup fails inside the ``leyden`` namespace package
    here = str(Path(__file__).parent)
    app = QuartTrio(__name__, root_path=here, instance_path=here, static_folder=None, template_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = services.config.http.max_body_size
    app.extensions["leyden"] = services
    for area in AREAS:
        app.register_blueprint(area.blueprint)
    app.register_error_handler(AppError, _app_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.after_request(_version_header)
    return app


async def _app_error(err: AppError) -> Response:
    return error_response(str(err), err.status)


async def _http_error(err: HTTPException) -> Response:
    if err.code == 404:
        message = f"not found: {request.path}"
    elif err.code == 405:
        message = f"method {request.method} not allowed on {request.path}"
    else:
        message = err.description or err.name
    response = error_response(message, err.code or 500)
    for name, value in err.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


async def _unexpected_error(err: Exception) -> Response:
    log.exception("unexpected error answering a request")
    return error_response(f"internal error: {err}", 500)


async def _version_header(response: Response) -> Response:
    response.headers["X-Kapacitor-Version"] = KAPACITOR_VERSION
    return response
