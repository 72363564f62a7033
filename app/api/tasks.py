"""``/kapacitor/v1/tasks``: define, list, show, update and delete tasks; read httpOut outputs.

The documents have Kapacitor 1.5's fields, order and formats (see the CLI transcript in
the conformance corpus): times in RFC3339 with Go's zero time for "never", the script
reformatted unless ``script-format=raw``, and for a running task a DOT graph and
``stats`` carrying the live counters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quart import Blueprint, Response, request

from ..errors import NotFoundError
from ..storage import TaskRecord
from ._http import (
    BASE,
    api_time,
    dot_view_labels,
    formatted_script,
    int_arg,
    json_body,
    json_response,
    link,
    list_fields,
    no_content,
    services,
)

blueprint = Blueprint("tasks", __name__)

#: Every field of a task, in the order Kapacitor writes them.
TASK_FIELDS = (
    "link",
    "id",
    "template-id",
    "type",
    "dbrps",
    "script",
    "vars",
    "dot",
    "status",
    "executing",
    "error",
    "stats",
    "created",
    "modified",
    "last-enabled",
)
#: Fields that need the kernel's view of the task (compiling it if it is not running).
_VIEW_FIELDS = frozenset(("dbrps", "dot", "executing", "error", "stats"))


def task_document(
    record: TaskRecord,
    names: tuple[str, ...] | list[str] = TASK_FIELDS,
    *,
    formatted: bool = True,
    labels: bool = False,
) -> dict[str, Any]:
    """The named fields of a task; the kernel's view is computed only if one needs it."""
    tasks = services().tasks
    view = tasks.view(record, labels=labels) if _VIEW_FIELDS.intersection(names) else None
    values: dict[str, Callable[[], Any]] = {
        "link": lambda: link(f"{BASE}/tasks/{record.id}"),
        "id": lambda: record.id,
        "template-id": lambda: record.template_id,
        "type": lambda: record.type,
        "dbrps": lambda: view.dbrps,
        "script": lambda: tasks.format_script(record.script) if formatted else record.script,
        "vars": lambda: record.vars,
        "dot": lambda: view.dot,
        "status": lambda: record.status,
        "executing": lambda: view.executing,
        "error": lambda: view.error,
        "stats": lambda: view.stats,
        "created": lambda: api_time(record.created),
        "modified": lambda: api_time(record.modified),
        "last-enabled": lambda: api_time(record.last_enabled),
    }
    return {name: values[name]() for name in names}


@blueprint.get(f"{BASE}/tasks")
async def list_tasks() -> Response:
    formatted = formatted_script()
    labels = dot_view_labels()
    offset, limit = int_arg("offset", 0), int_arg("limit", 100)
    names = list_fields(TASK_FIELDS)
    records = services().store.tasks(request.args.get("pattern", ""), offset, limit)
    tasks = [
        dict(sorted(task_document(r, names, formatted=formatted, labels=labels).items())) for r in records
    ]
    return json_response({"tasks": tasks})


@blueprint.post(f"{BASE}/tasks")
async def create_task() -> Response:
    record = await services().tasks.create_task(await json_body())
    return json_response(task_document(record))


@blueprint.get(f"{BASE}/tasks/<task_id>")
async def show_task(task_id: str) -> Response:
    formatted = formatted_script()
    labels = dot_view_labels()
    record = services().tasks.task(task_id)
    return json_response(task_document(record, formatted=formatted, labels=labels))


@blueprint.patch(f"{BASE}/tasks/<task_id>")
async def update_task(task_id: str) -> Response:
    record = await services().tasks.update_task(task_id, await json_body())
    return json_response(task_document(record))


@blueprint.delete(f"{BASE}/tasks/<task_id>")
async def delete_task(task_id: str) -> Response:
    await services().tasks.delete_task(task_id)
    return no_content()


@blueprint.get(f"{BASE}/tasks/<task_id>/<name>")
async def task_output(task_id: str, name: str) -> Response:
    """An ``httpOut`` node's latest result; compact JSON, as it may be large and polled."""
    output = services().kernel.output(task_id, name)
    if output is None:
        raise NotFoundError(f"no output {name!r} on task {task_id!r} (is the task running?)")
    return json_response(output, pretty=False)
