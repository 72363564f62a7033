"""``leyden``: the command line client, mirroring Kapacitor's ``kapacitor`` CLI.

    leyden [-url URL] define TASK -tick FILE -type stream -dbrp db.rp
    leyden enable TASK ...; leyden show TASK; leyden list tasks; leyden delete tasks TASK
    leyden serve [leydend flags]; leyden plugins list|lock

Each area is a module with ``register(commands)``, listed in :data:`AREAS`.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import alerts, plugins, server, stats, tasks, templates, version
from ._commands import Commands

#: The CLI's areas, each a module with ``register(commands)``.
AREAS = [tasks, templates, alerts, stats, version, server, plugins]


def main(argv: Sequence[str] | None = None) -> int:
    commands = Commands()
    for area in AREAS:
        area.register(commands)
    commands.finish()
    return commands.run(argv)
