"""``/kapacitor/v1/debug/vars``: server counters in the shape of Go's expvar page.

``kapacitor stats general`` and ``stats ingress`` read this, and so do monitoring
tools that scrape Kapacitor. The ``kapacitor`` map holds one entry per statistic
(``nodes``, ``edges``, ``ingress``), each with its tags and values; Kapacitor keys
them by random ids, leyden by ids derived from the tags so repeated reads line up.
"""

from __future__ import annotations

import sys
import uuid
from typing import Any

from quart import Blueprint, Response

from leyden.tick import format_go_duration

from .. import KAPACITOR_VERSION
from ._http import BASE, json_response, services

blueprint = Blueprint("debug", __name__)


@blueprint.get(f"{BASE}/debug/vars")
async def debug_vars() -> Response:
    s = services()
    total, enabled = s.store.count_tasks()
    ids = {"cluster_id": s.cluster_id, "server_id": s.server_id, "host": s.config.hostname}
    stats: dict[str, Any] = {}

    def add(name: str, tags: dict[str, str], values: dict[str, Any]) -> None:
        key = uuid.uuid5(uuid.NAMESPACE_OID, name + repr(sorted(tags.items())))
        stats[str(key)] = {"name": name, "tags": {**tags, **ids}, "values": values}

    for task_id, state in s.kernel.registry.tasks.items():
        running = state.running
        if running is None:
            continue
        kind = running.pipeline.type.value
        for node in running.pipeline.nodes:
            node_stats = running.stats[node.name]
            tags = {"task": task_id, "node": node.name, "type": kind, "kind": node.spec.kind}
            add(
                "nodes",
                tags,
                {
                    "avg_exec_time_ns": format_go_duration(node_stats.avg_exec_time_ns),
                    "errors": node_stats.errors,
                    "working_cardinality": running.cardinality(node.name),
                    **running.statistics(node.name),
                },
            )
            for child in node.children:
                edge = {"task": task_id, "parent": node.name, "child": child.name, "type": kind}
                add("edges", edge, {"collected": node_stats.emitted, "emitted": node_stats.emitted})
    for (db, rp, measurement), count in s.kernel.registry.ingress.items():
        tags = {"task_master": "main", "database": db, "retention_policy": rp, "measurement": measurement}
        add("ingress", tags, {"points_received": count})
    return json_response(
        {
            "cluster_id": s.cluster_id,
            "cmdline": sys.argv,
            "host": s.config.hostname,
            "kapacitor": stats,
            "num_enabled_tasks": enabled,
            "num_subscriptions": 0,
            "num_tasks": total,
            "product": "leyden",
            "server_id": s.server_id,
            "version": KAPACITOR_VERSION,
        }
    )
