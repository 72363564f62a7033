"""``serve``: run the server in this process, exactly as ``leydend`` does."""

from __future__ import annotations

from ._commands import Commands, Context


def register(commands: Commands) -> None:
    from .. import daemon

    serve = commands.add("serve", _serve, "run the server (same flags as leydend)")
    daemon.add_arguments(serve)


def _serve(ctx: Context) -> int:
    from .. import daemon

    return daemon.run(ctx.args)
