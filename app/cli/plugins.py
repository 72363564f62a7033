"""``plugins list`` (installed versus locked) and ``plugins lock`` (pin what is installed)."""

from __future__ import annotations

from pathlib import Path

from leyden.kernel import PluginLoadError, PluginRegistry, find_lock, installed_plugins, read_lock, write_lock

from . import _format
from ._commands import CommandError, Commands, Context


def register(commands: Commands) -> None:
    plugins = commands.add("plugins", _list, "list or lock the installed plugins")
    actions = plugins.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="installed plugins, and whether the lock lets them load")
    listing.add_argument("--lock", metavar="FILE", help="the lock file (default: as the server finds it)")
    listing.set_defaults(handler=_list)
    lock = actions.add_parser("lock", help="rewrite the lock file with every installed plugin")
    lock.add_argument("--lock", metavar="FILE", help="the lock file to write (default: plugins.lock)")
    lock.set_defaults(handler=_lock)


def _list(ctx: Context) -> None:
    lock = getattr(ctx.args, "lock", None)
    try:
        registry = PluginRegistry.load(lock)
    except PluginLoadError as err:
        raise CommandError(str(err)) from None
    status = {e.key: "loaded" for e in registry.loaded}
    status.update({r.entry.key: f"refused: {r.reason}" for r in registry.refused})
    rows = [(e.kind, e.name, e.distribution, e.version, status.get(e.key, "?")) for e in installed_plugins()]
    if registry.lock_path is not None:
        installed = {e.key for e in installed_plugins()}
        rows += [
            (e.kind, e.name, e.distribution, e.version, "locked but not installed")
            for e in read_lock(registry.lock_path)
            if e.key not in installed
        ]
    ctx.print(_format.table(("Kind", "Name", "Distribution", "Version", "Status"), rows))
    where = registry.lock_path or "none (only the leyden distribution's own plugins load)"
    ctx.print(f"\nLock: {where}")


def _lock(ctx: Context) -> None:
    path = find_lock(ctx.args.lock) or Path("plugins.lock")
    entries = installed_plugins()
    write_lock(path, entries)
    ctx.print(f"locked {len(entries)} plugins in {path}")
