"""``version``: this client's version and the server's, if one answers."""

from __future__ import annotations

import importlib.metadata

from .. import KAPACITOR_VERSION
from ._client import BASE, ApiError, ServerDown
from ._commands import Commands, Context


def register(commands: Commands) -> None:
    commands.add("version", _version, "show the versions of leyden and of the server")


def _version(ctx: Context) -> None:
    ctx.print(f"leyden {importlib.metadata.version('leyden')} (Kapacitor API {KAPACITOR_VERSION})")
    try:
        headers = ctx.client.request("GET", f"{BASE}/ping")[2]
    except (ServerDown, ApiError) as err:
        ctx.print(f"server: {err}")
        return
    server = {k.lower(): v for k, v in headers.items()}.get("x-kapacitor-version", "unknown")
    ctx.print(f"server at {ctx.args.url}: Kapacitor API {server}")
