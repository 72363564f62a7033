"""Alert topic commands: define-topic-handler, show-topic, show-topic-handler, and
``list``/``delete`` of ``topics`` and ``topic-handlers``, printed as Kapacitor's CLI does.

A handler file is YAML or JSON (by extension; YAML otherwise), as ``kapacitor
define-topic-handler`` takes it::

    topic: cpu
    id: slack
    kind: slack
    match: level() >= WARNING
    options:
      channel: '#alerts'

``leyden define-topic-handler slack.yaml`` reads topic and id from the file; the older
form ``leyden define-topic-handler cpu slack slack.yaml`` gives them first.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

import yaml

from . import _format
from ._client import BASE, ApiError
from ._commands import CommandError, Commands, Context
from .tasks import read_text

TOPICS = f"{BASE}/alerts/topics"


def register(commands: Commands) -> None:
    define = commands.add(
        "define-topic-handler",
        _define_handler,
        "create or update a topic handler from a YAML or JSON file",
    )
    define.add_argument("args", nargs="+", metavar="ARG", help="FILE, or TOPIC HANDLER-ID FILE")
    show = commands.add("show-topic", _show_topic, "show a topic's level, handlers and events")
    show.add_argument("topic", metavar="TOPIC")
    show_handler = commands.add("show-topic-handler", _show_handler, "show a topic handler")
    show_handler.add_argument("topic", metavar="TOPIC")
    show_handler.add_argument("handler_id", metavar="HANDLER-ID")
    commands.add_resource("topics", list_topics, delete_topics)
    commands.add_resource("topic-handlers", list_handlers, delete_handlers)


def _topic_path(topic: str) -> str:
    return f"{TOPICS}/{urllib.parse.quote(topic, safe=':')}"


def _handler_path(topic: str, handler: str) -> str:
    return f"{_topic_path(topic)}/handlers/{urllib.parse.quote(handler, safe='')}"


# -- define -----------------------------------------------------------------------------


def _define_handler(ctx: Context) -> None:
    args = ctx.args.args
    if len(args) not in (1, 3):
        raise CommandError("usage: define-topic-handler FILE, or define-topic-handler TOPIC HANDLER-ID FILE")
    *names, path = args
    spec = read_handler_file(path)
    topic, handler_id = names or (spec.get("topic"), spec.get("id"))
    if not topic or not handler_id:
        raise CommandError(f"{path} must name the handler's topic and id (or give them before the file)")
    body = {
        "id": handler_id,
        "kind": spec.get("kind") or "",
        "options": spec.get("options"),
        "match": spec.get("match") or "",
    }
    try:
        ctx.client.get(_handler_path(topic, handler_id))
    except ApiError as err:
        if err.status != 404:
            raise
        ctx.client.post(f"{_topic_path(topic)}/handlers", body)
        return
    ctx.client.request("PUT", _handler_path(topic, handler_id), body=body)


def read_handler_file(path: str) -> dict[str, Any]:
    """A handler file's contents: JSON for ``.json``, YAML otherwise."""
    text = read_text(path)
    try:
        spec = json.loads(text) if Path(path).suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as err:
        raise CommandError(f"cannot read the handler file {path}: {err}") from None
    if not isinstance(spec, dict):
        raise CommandError(f"the handler file {path} must hold a mapping (topic, id, kind, options, match)")
    return spec


# -- show -------------------------------------------------------------------------------


def _show_topic(ctx: Context) -> None:
    topic = ctx.client.get(_topic_path(ctx.args.topic))
    events = ctx.client.get(topic["events-link"]["href"])["events"]
    handlers = ctx.client.get(topic["handlers-link"]["href"])["handlers"]
    events.sort(key=lambda e: e["state"]["time"])
    event_width = max([5, *(len(e["id"]) for e in events)]) + 1
    message_width = max([7, *(len(e["state"]["message"]) for e in events)]) + 1

    def row(event: str, level: str, message: str, date: str) -> str:
        return f"{event:<{event_width}}{level:<9}{message:<{message_width}}{date}".rstrip()

    ctx.print("ID:", topic["id"])
    ctx.print("Level:", topic["level"])
    ctx.print("Collected:", topic["collected"])
    ctx.print(f"Handlers: [{', '.join(h['id'] for h in handlers)}]")
    ctx.print("Events:")
    ctx.print(row("Event", "Level", "Message", "Date"))
    for e in events:
        state = e["state"]
        ctx.print(row(e["id"], state["level"], state["message"], _format.rfc822(state["time"])))


def _show_handler(ctx: Context) -> None:
    handler = ctx.client.get(_handler_path(ctx.args.topic, ctx.args.handler_id))
    ctx.print("ID:", handler["id"])
    ctx.print("Topic:", ctx.args.topic)
    ctx.print("Kind:", handler["kind"])
    ctx.print("Match:", handler["match"])
    ctx.print("Options:", json.dumps(handler["options"], sort_keys=True, separators=(",", ":")))


# -- list and delete --------------------------------------------------------------------


def _topics(ctx: Context, pattern: str) -> list[dict[str, Any]]:
    return ctx.client.get(TOPICS, pattern=pattern, min_level="OK")["topics"]


def list_topics(ctx: Context, patterns: list[str]) -> None:
    topics = [t for pattern in patterns or [""] for t in _topics(ctx, pattern)]
    id_width = max([2, *(len(t["id"]) for t in topics)]) + 1
    level_width = max([8, *(len(t["level"]) for t in topics)]) + 1
    ctx.print(f"{'ID':<{id_width}}{'Level':<{level_width}}{'Collected':>10}")
    for t in topics:
        ctx.print(f"{t['id']:<{id_width}}{t['level']:<{level_width}}{t['collected']:>10}")


def delete_topics(ctx: Context, patterns: list[str]) -> None:
    for pattern in patterns:
        for topic in _topics(ctx, pattern):
            ctx.client.delete(topic["link"]["href"])


def list_handlers(ctx: Context, patterns: list[str]) -> None:
    """``list topic-handlers [TOPIC-PATTERN [HANDLER-PATTERN...]]``."""
    topic_pattern, *handler_patterns = patterns or [""]
    rows = []
    for topic in _topics(ctx, topic_pattern):
        for pattern in handler_patterns or [""]:
            found = ctx.client.get(topic["handlers-link"]["href"], pattern=pattern)["handlers"]
            rows += [(topic["id"], h["id"], h["kind"]) for h in found]
    widths = [max([10, *(len(r[i]) for r in rows)]) + 1 for i in range(3)]
    for row in [("Topic", "ID", "Kind"), *rows]:
        ctx.print("".join(f"{cell:<{width}}" for cell, width in zip(row, widths, strict=True)).rstrip())


def delete_handlers(ctx: Context, patterns: list[str]) -> None:
    """``delete topic-handlers TOPIC HANDLER-ID-OR-PATTERN...``."""
    topic, *handler_patterns = patterns
    if not handler_patterns:
        raise CommandError("give the topic, then the ids or patterns of its handlers to delete")
    for pattern in handler_patterns:
        for handler in ctx.client.get(f"{_topic_path(topic)}/handlers", pattern=pattern)["handlers"]:
            ctx.client.delete(handler["link"]["href"])
