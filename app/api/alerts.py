"""``/kapacitor/v1/alerts/topics``: alert topics, their events and their handlers.

::

    GET    /kapacitor/v1/alerts/topics?min-level=WARNING&pattern=cpu*
    GET    /kapacitor/v1/alerts/topics/cpu                 DELETE: forget its events
    GET    /kapacitor/v1/alerts/topics/cpu/events?min-level=CRITICAL
    GET    /kapacitor/v1/alerts/topics/cpu/events/cpu:nil
    GET    /kapacitor/v1/alerts/topics/cpu/handlers        POST: define a handler
    GET    /kapacitor/v1/alerts/topics/cpu/handlers/slack  PUT, PATCH (JSON patch), DELETE

Documents, links and status codes are Kapacitor 1.5's, except that a handler
definition Kapacitor refuses with a 500 (unknown kind, bad options or match
expression, an id already taken) is a 400 here, and the events of an unknown topic
are a 404 rather than a 500.
"""

from __future__ import annotations

import json
from typing import Any

from quart import Blueprint, Response, request

from leyden.kernel import format_time
from leyden.plugins.alerts import AlertEvent, Level
from leyden.tick import format_go_duration

from ..alerts import HandlerSpec, SpecError
from ..alerts.jsonpatch import PatchError, apply_patch
from ..alerts.topics import Topic
from ..errors import InvalidRequestError, NotFoundError
from ._http import BASE, json_body, json_response, link, no_content, services

blueprint = Blueprint("alerts", __name__)

TOPICS = f"{BASE}/alerts/topics"


def topic_document(topic: Topic) -> dict[str, Any]:
    path = f"{TOPICS}/{topic.id}"
    return {
        "link": link(path),
        "id": topic.id,
        "level": str(topic.level),
        "collected": topic.collected,
        "events-link": {"rel": "events", "href": f"{path}/events"},
        "handlers-link": {"rel": "handlers", "href": f"{path}/handlers"},
    }


def event_document(topic_id: str, event: AlertEvent) -> dict[str, Any]:
    return {
        "link": link(f"{TOPICS}/{topic_id}/events/{event.id}"),
        "id": event.id,
        "state": {
            "message": event.message,
            "details": event.details,
            "time": format_time(event.time),
            "duration": format_go_duration(event.duration),
            "level": str(event.level),
        },
    }


def handler_document(spec: HandlerSpec) -> dict[str, Any]:
    return {
        "link": link(f"{TOPICS}/{spec.topic}/handlers/{spec.id}"),
        "id": spec.id,
        "kind": spec.kind,
        "options": spec.options,
        "match": spec.match,
    }


# -- topics and events ------------------------------------------------------------------


@blueprint.get(TOPICS)
async def list_topics() -> Response:
    topics = services().alerts.list_topics(request.args.get("pattern", ""), _min_level())
    return json_response({"link": link(_request_uri()), "topics": [topic_document(t) for t in topics]})


@blueprint.get(f"{TOPICS}/<topic_id>")
async def show_topic(topic_id: str) -> Response:
    return json_response(topic_document(_topic(topic_id)))


@blueprint.delete(f"{TOPICS}/<topic_id>")
async def delete_topic(topic_id: str) -> Response:
    services().alerts.delete_topic(topic_id)
    return no_content()


@blueprint.get(f"{TOPICS}/<topic_id>/events")
async def list_events(topic_id: str) -> Response:
    min_level = _min_level()
    events = [event_document(topic_id, e) for e in _topic(topic_id).sorted_events(min_level)]
    return json_response({"link": link(f"{TOPICS}/{topic_id}/events"), "topic": topic_id, "events": events})


@blueprint.get(f"{TOPICS}/<topic_id>/events/<path:event_id>")
async def show_event(topic_id: str, event_id: str) -> Response:
    topic = services().alerts.topics.get(topic_id)
    event = topic.events.get(event_id) if topic is not None else None
    if event is None:
        raise NotFoundError(f"unknown event {json.dumps(event_id)} in topic {json.dumps(topic_id)}")
    return json_response(event_document(topic_id, event))


# -- handlers ---------------------------------------------------------------------------


@blueprint.get(f"{TOPICS}/<topic_id>/handlers")
async def list_handlers(topic_id: str) -> Response:
    specs = services().alerts.handler_specs(topic_id, request.args.get("pattern", ""))
    body = {"link": link(_request_uri()), "topic": topic_id, "handlers": [handler_document(s) for s in specs]}
    return json_response(body)


@blueprint.post(f"{TOPICS}/<topic_id>/handlers")
async def create_handler(topic_id: str) -> Response:
    spec = _spec(topic_id, await json_body())
    try:
        services().alerts.create_handler(spec)
    except SpecError as err:
        raise InvalidRequestError(f"failed to create handler: {err}") from None
    return json_response(handler_document(spec))


@blueprint.get(f"{TOPICS}/<topic_id>/handlers/<handler_id>")
async def show_handler(topic_id: str, handler_id: str) -> Response:
    return json_response(handler_document(_handler(topic_id, handler_id)))


@blueprint.put(f"{TOPICS}/<topic_id>/handlers/<handler_id>")
async def replace_handler(topic_id: str, handler_id: str) -> Response:
    _handler(topic_id, handler_id)
    return _replace(handler_id, _spec(topic_id, await json_body()))


@blueprint.patch(f"{TOPICS}/<topic_id>/handlers/<handler_id>")
async def patch_handler(topic_id: str, handler_id: str) -> Response:
    current = _handler(topic_id, handler_id)
    try:
        patch = json.loads(await request.get_data(as_text=True))
    except ValueError as err:
        raise InvalidRequestError(f"invalid patch json: {err}") from None
    try:
        patched = apply_patch(current.to_json(), patch)
    except PatchError as err:
        raise InvalidRequestError(f"failed to apply patch: {err}") from None
    return _replace(handler_id, _spec(topic_id, patched))


@blueprint.delete(f"{TOPICS}/<topic_id>/handlers/<handler_id>")
async def delete_handler(topic_id: str, handler_id: str) -> Response:
    services().alerts.delete_handler(topic_id, handler_id)
    return no_content()


# -- helpers ----------------------------------------------------------------------------


def _replace(old_id: str, spec: HandlerSpec) -> Response:
    try:
        services().alerts.replace_handler(old_id, spec)
    except SpecError as err:
        raise InvalidRequestError(f"failed to update handler: {err}") from None
    return json_response(handler_document(spec))


def _spec(topic_id: str, body: Any) -> HandlerSpec:
    try:
        spec = HandlerSpec.from_json(topic_id, body)
    except SpecError as err:
        raise InvalidRequestError(str(err)) from None
    try:
        spec.validate()
    except SpecError as err:
        raise InvalidRequestError(f"invalid handler spec: {err}") from None
    return spec


def _topic(topic_id: str) -> Topic:
    topic = services().alerts.topics.get(topic_id)
    if topic is None:
        raise NotFoundError(f"unknown topic: {json.dumps(topic_id)}")
    return topic


def _handler(topic_id: str, handler_id: str) -> HandlerSpec:
    spec = services().alerts.handler_spec(topic_id, handler_id)
    if spec is None:
        raise NotFoundError(f"unknown handler: {json.dumps(handler_id)}")
    return spec


def _min_level() -> Level:
    raw = request.args.get("min-level", "")
    try:
        return Level.parse(raw) if raw else Level.OK
    except ValueError as err:
        raise InvalidRequestError(str(err)) from None


def _request_uri() -> str:
    """The path and query of the request, as Kapacitor links a list to itself."""
    query = request.query_string.decode()
    return f"{request.path}?{query}" if query else request.path
