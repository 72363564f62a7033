"""``stats general`` and ``stats ingress``: what ``/debug/vars`` says, as Kapacitor prints it."""

from __future__ import annotations

from collections import Counter

from . import _format
from ._client import BASE
from ._commands import Commands, Context


def register(commands: Commands) -> None:
    stats = commands.add("stats", _stats, "show server statistics")
    stats.add_argument("kind", choices=["general", "ingress"])


def _stats(ctx: Context) -> None:
    variables = ctx.client.get(f"{BASE}/debug/vars")
    if ctx.args.kind == "general":
        rows = (
            ("ClusterID:", variables.get("cluster_id", "")),
            ("ServerID:", variables.get("server_id", "")),
            ("Host:", variables.get("host", "")),
            ("Tasks:", variables.get("num_tasks", 0)),
            ("Enabled Tasks:", variables.get("num_enabled_tasks", 0)),
            ("Subscriptions:", variables.get("num_subscriptions", 0)),
            ("Version:", variables.get("version", "")),
        )
        for label, value in rows:
            ctx.print(f"{label:<30}{value}")
        return
    received: Counter[tuple[str, str, str]] = Counter()
    for stat in (variables.get("kapacitor") or {}).values():
        if stat.get("name") == "ingress":
            tags = stat.get("tags", {})
            key = (tags.get("database", ""), tags.get("retention_policy", ""), tags.get("measurement", ""))
            received[key] += stat.get("values", {}).get("points_received", 0)
    rows = [(*key, count) for key, count in sorted(received.items())]
    ctx.print(_format.table(("Database", "Retention Policy", "Measurement", "Points Received"), rows))
