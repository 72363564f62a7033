"""Template commands: define-template, show-template, and ``list``/``delete templates``."""

from __future__ import annotations

from . import _format
from ._client import BASE, ApiError
from ._commands import CommandError, Commands, Context
from .tasks import read_text


def register(commands: Commands) -> None:
    define = commands.add("define-template", _define, "create or update a template")
    define.add_argument("id", metavar="TEMPLATE-ID")
    define.add_argument("-tick", "--tick", metavar="FILE", help="the TICKscript, with its vars")
    define.add_argument("-type", "--type", choices=["stream", "batch"], help="the task type")
    show = commands.add("show-template", _show, "show a template with its vars and graph")
    show.add_argument("id", metavar="TEMPLATE-ID")
    commands.add_resource("templates", list_templates, delete_templates)


def _path(template_id: str) -> str:
    return f"{BASE}/templates/{template_id}"


def _define(ctx: Context) -> None:
    args = ctx.args
    options = {}
    if args.type:
        options["type"] = args.type
    if args.tick:
        options["script"] = read_text(args.tick)
    try:
        ctx.client.get(_path(args.id))
    except ApiError as err:
        if err.status != 404:
            raise
        if "script" not in options:
            raise CommandError("a new template needs -tick FILE") from None
        ctx.client.post(f"{BASE}/templates", {"id": args.id, **options})
        return
    ctx.client.patch(_path(args.id), options)


def _show(ctx: Context) -> None:
    template = ctx.client.get(_path(ctx.args.id), script_format="formatted")
    ctx.print("ID:", template["id"])
    ctx.print("Error:", template["error"])
    ctx.print("Type:", template["type"])
    ctx.print("Created:", _format.rfc822(template["created"]))
    ctx.print("Modified:", _format.rfc822(template["modified"]))
    ctx.print(f"TICKscript:\n{template['script']}")
    ctx.print("Vars:")
    rows = [
        (name, var["type"], _format.var_value(var), var.get("description", ""))
        for name, var in sorted((template.get("vars") or {}).items())
    ]
    ctx.print(_format.table(("Name", "Type", "Default Value", "Description"), rows))
    ctx.print(f"DOT:\n{template['dot']}")


def list_templates(ctx: Context, patterns: list[str]) -> None:
    rows = []
    for pattern in patterns or [""]:
        for template in ctx.client.find("templates", pattern, ("type", "vars")):
            rows.append((template["id"], template["type"], ",".join(sorted(template.get("vars") or {}))))
    ctx.print(_format.table(("ID", "Type", "Vars"), rows))


def delete_templates(ctx: Context, patterns: list[str]) -> None:
    ids: list[str] = []
    for pattern in patterns:
        ids += [t["id"] for t in ctx.client.find("templates", pattern) if t["id"] not in ids]
    for template_id in ids:
        ctx.client.delete(_path(template_id))
