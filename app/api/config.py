"""``/kapacitor/v1/config``: the effective configuration, read-only for now.

The shape is Kapacitor's: sections, each with elements carrying ``options``; values
of options that look like secrets are replaced by ``true`` and listed in
``redacted``, so a config dump can be shared.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response

from ..errors import NotFoundError
from ._http import BASE, json_response, link, services

blueprint = Blueprint("config", __name__)

_SECRET_WORDS = ("password", "token", "secret", "key")


def _element(section: str, name: str, options: dict[str, Any]) -> dict[str, Any]:
    redacted = sorted(k for k, v in options.items() if v and any(w in k.lower() for w in _SECRET_WORDS))
    shown = {k: (True if k in redacted else v) for k, v in options.items()}
    return {"link": link(f"{BASE}/config/{section}/{name}"), "options": shown, "redacted": redacted or None}


def _section(name: str, body: Any) -> dict[str, Any]:
    if isinstance(body, list):
        elements = [
            _element(name, str(e.get("name", i)), e) for i, e in enumerate(body) if isinstance(e, dict)
        ]
    else:
        elements = [_element(name, "", body if isinstance(body, dict) else {"value": body})]
    return {"link": link(f"{BASE}/config/{name}"), "elements": elements}


def _sections() -> dict[str, Any]:
    return {name: _section(name, body) for name, body in services().config.sections().items()}


@blueprint.get(f"{BASE}/config")
async def show_config() -> Response:
    return json_response({"link": link(f"{BASE}/config"), "sections": _sections()})


@blueprint.get(f"{BASE}/config/<section>")
async def show_section(section: str) -> Response:
    sections = _sections()
    if section not in sections:
        raise NotFoundError(f"unknown section {section!r}")
    return json_response(sections[section])
