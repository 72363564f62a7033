"""Task commands: define, enable, disable, reload, show, and ``list``/``delete tasks``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import _format
from ._client import BASE, ApiError
from ._commands import CommandError, Commands, Context

LIST_FIELDS = ("type", "status", "executing", "dbrps")


def register(commands: Commands) -> None:
    define = commands.add("define", _define, "create or update a task")
    define.add_argument("id", metavar="TASK-ID")
    define.add_argument("-tick", "--tick", metavar="FILE", help="the TICKscript")
    define.add_argument("-type", "--type", choices=["stream", "batch"], help="the task type")
    define.add_argument(
        "-dbrp",
        "--dbrp",
        action="append",
        default=[],
        metavar="DB.RP",
        help='a database and retention policy ("db"."rp", quotes optional); repeatable',
    )
    define.add_argument(
        "-template", "--template", metavar="TEMPLATE-ID", help="make the task from a template"
    )
    define.add_argument("-vars", "--vars", metavar="FILE", help="JSON file of the template's var values")
    define.add_argument("-file", "--file", metavar="FILE", help="JSON or YAML file: template-id, dbrps, vars")
    define.add_argument(
        "-no-reload", "--no-reload", action="store_true", help="do not reload an enabled task"
    )
    for name, handler, text in (
        ("enable", _enable, "enable and start tasks"),
        ("disable", _disable, "stop and disable tasks"),
        ("reload", _reload, "restart tasks with their current definition"),
    ):
        command = commands.add(name, handler, text)
        command.add_argument("ids", nargs="+", metavar="TASK-ID-OR-PATTERN")
    show = commands.add("show", _show, "show a task with its graph and counters")
    show.add_argument("id", metavar="TASK-ID")
    commands.add_resource("tasks", list_tasks, delete_tasks)


def _task_path(task_id: str) -> str:
    return f"{BASE}/tasks/{task_id}"


def _define(ctx: Context) -> None:
    args = ctx.args
    options: dict[str, Any] = _task_file(args.file) if args.file else {}
    if args.template:
        options["template-id"] = args.template
    if args.dbrp:
        options["dbrps"] = [parse_dbrp(text) for text in args.dbrp]
    if args.vars:
        options["vars"] = _read_json(args.vars)
    if args.type:
        options["type"] = args.type
    if args.tick:
        options["script"] = read_text(args.tick)
    client = ctx.client
    try:
        existing = client.get(_task_path(args.id))
    except ApiError as err:
        if err.status != 404:
            raise
        existing = None
    if existing is None:
        if "script" not in options and "template-id" not in options:
            raise CommandError("a new task needs -tick FILE or -template ID")
        client.post(f"{BASE}/tasks", {"id": args.id, **options, "status": "disabled"})
        return
    client.patch(_task_path(args.id), options)
    if existing.get("status") == "enabled" and not args.no_reload:
        client.patch(_task_path(args.id), {"status": "disabled"})
        client.patch(_task_path(args.id), {"status": "enabled"})


def parse_dbrp(text: str) -> dict[str, str]:
    """``db.rp`` or ``"db"."rp"`` (quotes let names contain dots) to the API's shape."""
    db, rest = _name_part(text)
    if not rest.startswith("."):
        raise CommandError(f'invalid dbrp {text!r}: use "db"."rp" (the quotes are optional)')
    rp, tail = _name_part(rest[1:])
    if tail or not db or not rp:
        raise CommandError(f'invalid dbrp {text!r}: use "db"."rp" (the quotes are optional)')
    return {"db": db, "rp": rp}


def _name_part(text: str) -> tuple[str, str]:
    if text.startswith('"'):
        out, i = [], 1
        while i < len(text):
            if text[i] == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
            elif text[i] == '"':
                return "".join(out), text[i + 1 :]
            else:
                out.append(text[i])
                i += 1
        raise CommandError(f"unterminated quote in {text!r}")
    head, dot, tail = text.partition(".")
    return head, dot + tail


def read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise CommandError(f"cannot read {path}: {err.strerror}") from None


def _read_json(path: str) -> Any:
    try:
        return json.loads(read_text(path))
    except ValueError as err:
        raise CommandError(f"{path} is not valid JSON: {err}") from None


def _task_file(path: str) -> dict[str, Any]:
    """A task definition file (JSON, or YAML by extension): template-id, dbrps, vars."""
    text = read_text(path)
    if path.endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError:
            raise CommandError("reading YAML needs PyYAML (pip install pyyaml); or use JSON") from None
        data = yaml.safe_load(text)
    else:
        data = _read_json(path)
    if not isinstance(data, dict):
        raise CommandError(f"{path} must hold an object with template-id, dbrps and vars")
    unknown = set(data) - {"id", "template-id", "dbrps", "vars"}
    if unknown:
        raise CommandError(f"{path}: unknown keys {', '.join(sorted(unknown))}")
    data.pop("id", None)
    return data


def _matching(ctx: Context, patterns: list[str]) -> list[str]:
    ids: list[str] = []
    for pattern in patterns:
        ids += [t["id"] for t in ctx.client.find("tasks", pattern) if t["id"] not in ids]
    return ids


def _set_status(ctx: Context, patterns: list[str], *statuses: str) -> None:
    for task_id in _matching(ctx, patterns):
        for status in statuses:
            ctx.client.patch(_task_path(task_id), {"status": status})


def _enable(ctx: Context) -> None:
    _set_status(ctx, ctx.args.ids, "enabled")


def _disable(ctx: Context) -> None:
    _set_status(ctx, ctx.args.ids, "disabled")


def _reload(ctx: Context) -> None:
    _set_status(ctx, ctx.args.ids, "disabled", "enabled")


def _show(ctx: Context) -> None:
    task = ctx.client.get(_task_path(ctx.args.id), dot_view="attributes", script_format="formatted")
    ctx.print("ID:", task["id"])
    ctx.print("Error:", task["error"])
    ctx.print("Template:", task["template-id"])
    ctx.print("Type:", task["type"])
    ctx.print("Status:", task["status"])
    ctx.print("Executing:", "true" if task["executing"] else "false")
    ctx.print("Created:", _format.rfc822(task["created"]))
    ctx.print("Modified:", _format.rfc822(task["modified"]))
    ctx.print("LastEnabled:", _format.rfc822(task["last-enabled"]))
    ctx.print("Databases Retention Policies:", _format.dbrps(task["dbrps"]))
    ctx.print(f"TICKscript:\n{task['script']}")
    if task.get("vars"):
        ctx.print("Vars:")
        rows = [(name, var["type"], _format.var_value(var)) for name, var in sorted(task["vars"].items())]
        ctx.print(_format.table(("Name", "Type", "Value"), rows))
    ctx.print(f"DOT:\n{task['dot']}")


def list_tasks(ctx: Context, patterns: list[str]) -> None:
    rows = []
    for pattern in patterns or [""]:
        for task in ctx.client.find("tasks", pattern, LIST_FIELDS):
            executing = "true" if task["executing"] else "false"
            rows.append((task["id"], task["type"], task["status"], executing, _format.dbrps(task["dbrps"])))
    headers = ("ID", "Type", "Status", "Executing", "Databases and Retention Policies")
    ctx.print(_format.table(headers, rows))


def delete_tasks(ctx: Context, patterns: list[str]) -> None:
    for task_id in _matching(ctx, patterns):
        ctx.client.delete(_task_path(task_id))
