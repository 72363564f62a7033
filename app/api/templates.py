"""``/kapacitor/v1/templates``: scripts with variables that tasks are made from.

A template's ``vars`` are those its script declares (with their defaults); a task
made from it gives its own values. Updating a template updates and restarts its
tasks; deleting one leaves its tasks running on their copy of the script.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, request

from ..storage import TemplateRecord
from ._http import (
    BASE,
    api_time,
    formatted_script,
    int_arg,
    json_body,
    json_response,
    link,
    list_fields,
    no_content,
    services,
)

blueprint = Blueprint("templates", __name__)

#: Every field of a template, in the order Kapacitor writes them.
TEMPLATE_FIELDS = ("link", "id", "type", "script", "vars", "dot", "error", "created", "modified")


def template_document(
    record: TemplateRecord, names: tuple[str, ...] | list[str] = TEMPLATE_FIELDS, *, formatted: bool = True
) -> dict[str, Any]:
    """The named fields of a template; raises KeyError naming an unknown field."""
    tasks = services().tasks
    view = tasks.template_view(record) if {"vars", "dot", "error"} & set(names) else None
    values = {
        "link": lambda: link(f"{BASE}/templates/{record.id}"),
        "id": lambda: record.id,
        "type": lambda: record.type,
        "script": lambda: tasks.format_script(record.script) if formatted else record.script,
        "vars": lambda: view.vars,
        "dot": lambda: view.dot,
        "error": lambda: view.error,
        "created": lambda: api_time(record.created),
        "modified": lambda: api_time(record.modified),
    }
    return {name: values[name]() for name in names}


@blueprint.get(f"{BASE}/templates")
async def list_templates() -> Response:
    formatted = formatted_script()
    offset, limit = int_arg("offset", 0), int_arg("limit", 100)
    names = list_fields(TEMPLATE_FIELDS)
    records = services().store.templates(request.args.get("pattern", ""), offset, limit)
    templates = [dict(sorted(template_document(r, names, formatted=formatted).items())) for r in records]
    return json_response({"templates": templates})


@blueprint.post(f"{BASE}/templates")
async def create_template() -> Response:
    record = services().tasks.create_template(await json_body())
    return json_response(template_document(record))


@blueprint.get(f"{BASE}/templates/<template_id>")
async def show_template(template_id: str) -> Response:
    formatted = formatted_script()
    record = services().tasks.template(template_id)
    return json_response(template_document(record, formatted=formatted))


@blueprint.patch(f"{BASE}/templates/<template_id>")
async def update_template(template_id: str) -> Response:
    record = await services().tasks.update_template(template_id, await json_body())
    return json_response(template_document(record))


@blueprint.delete(f"{BASE}/templates/<template_id>")
async def delete_template(template_id: str) -> Response:
    services().tasks.delete_template(template_id)
    return no_content()
