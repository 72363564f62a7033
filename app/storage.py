"""Tasks, templates and server identity in a sqlite database in the data directory.

The schema is versioned with sqlite's ``user_version``: :data:`MIGRATIONS` lists the
steps in order and opening a store runs the ones it lacks, each in a transaction, so
a store written by an older leyden is brought up to date and a crash mid-step leaves
the previous version intact. The journal is a WAL, so readers never wait for a writer
and a crash loses at most the last transaction.

Calls are made inline on the trio thread, on purpose: every statement touches one
row by primary key, or lists ids and small text columns, against a local file with
``synchronous=NORMAL`` (no fsync per commit in WAL mode), which takes tens of
microseconds. Handing each to a worker thread would cost more than it saves; none of
them is on the write path.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leyden.kernel import LeydenError

#: Schema steps; ``MIGRATIONS[i]`` (its statements in order) brings a store from
#: version ``i`` to ``i + 1``.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        """
    CREATE TABLE tasks (
        id           TEXT PRIMARY KEY,
        template_id  TEXT NOT NULL DEFAULT '',
        type         TEXT NOT NULL,
        dbrps        TEXT NOT NULL,
        script       TEXT NOT NULL,
        vars         TEXT NOT NULL,
        status       TEXT NOT NULL,
        error        TEXT NOT NULL DEFAULT '',
        created      INTEGER NOT NULL,
        modified     INTEGER NOT NULL,
        last_enabled INTEGER NOT NULL DEFAULT 0
    )""",
        "CREATE INDEX tasks_by_template ON tasks (template_id)",
        """
    CREATE TABLE templates (
        id       TEXT PRIMARY KEY,
        type     TEXT NOT NULL,
        script   TEXT NOT NULL,
        error    TEXT NOT NULL DEFAULT '',
        created  INTEGER NOT NULL,
        modified INTEGER NOT NULL
    )""",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
    # alert topics (leyden.app.alerts): the latest event of every alert, and topic handlers
    (
        """
    CREATE TABLE alert_events (
        topic    TEXT NOT NULL,
        id       TEXT NOT NULL,
        level    INTEGER NOT NULL,
        message  TEXT NOT NULL,
        details  TEXT NOT NULL,
        time     INTEGER NOT NULL,
        duration INTEGER NOT NULL,
        PRIMARY KEY (topic, id)
    ) WITHOUT ROWID""",
        """
    CREATE TABLE topic_handlers (
        topic   TEXT NOT NULL,
        id      TEXT NOT NULL,
        kind    TEXT NOT NULL,
        options TEXT NOT NULL,
        match   TEXT NOT NULL,
        PRIMARY KEY (topic, id)
    ) WITHOUT ROWID""",
    ),
]


@dataclass
class TaskRecord:
    """A task as stored. ``dbrps`` are the ones the request gave (a script may declare
    its own); ``script`` is a template task's copy of its template's script; ``vars``
    are in the API's JSON shape. Times are nanoseconds since the epoch, 0 for never."""

    id: str
    type: str
    script: str
    dbrps: list[dict[str, str]] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)
    template_id: str = ""
    status: str = "disabled"
    error: str = ""
    created: int = 0
    modified: int = 0
    last_enabled: int = 0

    @property
    def enabled(self) -> bool:
        return self.status == "enabled"


@dataclass
class TemplateRecord:
    """A template as stored; its vars are computed from the script when shown."""

    id: str
    type: str
    script: str
    error: str = ""
    created: int = 0
    modified: int = 0


_TASK_COLUMNS = "id, template_id, type, dbrps, script, vars, status, error, created, modified, last_enabled"
_TEMPLATE_COLUMNS = "id, type, script, error, created, modified"


class StoreError(LeydenError):
    """The store cannot be used: the file is no sqlite database, or a newer leyden
    wrote it."""


class Store:
    """The server's database; open with :meth:`open`, close with :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating it and its directory if needed) and migrate the database."""
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as err:
            conn.close()
            raise StoreError(f"cannot open the store {path}: {err}") from None
        store = cls(conn)
        try:
            store._migrate()
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self._conn.close()

    @property
    def version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"the store is at schema version {current}, newer than this leyden knows "
                f"({len(MIGRATIONS)}); upgrade leyden"
            )
        for version in range(current, len(MIGRATIONS)):
            with self.transaction():
                for statement in MIGRATIONS[version]:
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {version + 1}")

    @property
    def connection(self) -> sqlite3.Connection:
        """The database connection, for the stores of other areas whose tables live in
        this database and its :data:`MIGRATIONS` (the alert store). It autocommits:
        group writes that belong together in :meth:`transaction`."""
        return self._conn

    def transaction(self) -> _Transaction:
        """``with store.transaction():`` runs the block in one write transaction
        (``BEGIN IMMEDIATE``), committed at the end, rolled back on an exception."""
        return _Transaction(self._conn)

    # -- meta -----------------------------------------------------------------------

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- tasks ----------------------------------------------------------------------

    def task(self, task_id: str) -> TaskRecord | None:
        row = self._conn.execute(f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,)).fetchone()
        return None if row is None else _task(row)

    def tasks(self, pattern: str = "", offset: int = 0, limit: int = -1) -> list[TaskRecord]:
        """Tasks sorted by id, whose id matches the glob ``pattern`` ("" matches all)."""
        rows = self._conn.execute(
            f"SELECT {_TASK_COLUMNS} FROM tasks WHERE ? = '' OR id GLOB ? ORDER BY id LIMIT ? OFFSET ?",
            (pattern, pattern, limit, offset),
        )
        return [_task(row) for row in rows]

    def tasks_of_template(self, template_id: str) -> list[TaskRecord]:
        rows = self._conn.execute(
            f"SELECT {_TASK_COLUMNS} FROM tasks WHERE template_id = ? ORDER BY id", (template_id,)
        )
        return [_task(row) for row in rows]

    def count_tasks(self) -> tuple[int, int]:
        """How many tasks there are, and how many of them are enabled."""
        row = self._conn.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'enabled') FROM tasks")
        total, enabled = row.fetchone()
        return total, enabled

    def put_task(self, task: TaskRecord) -> None:
        """Insert or replace a task."""
        self._conn.execute(
            f"INSERT OR REPLACE INTO tasks ({_TASK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                task.id,
                task.template_id,
                task.type,
                json.dumps(task.dbrps),
                task.script,
                json.dumps(task.vars),
                task.status,
                task.error,
                task.created,
                task.modified,
                task.last_enabled,
            ),
        )

    def put_template_and_tasks(self, template: TemplateRecord, tasks: list[TaskRecord]) -> None:
        """Replace a template and tasks made from it at once: all of them or none."""
        with self.transaction():
            self.put_template(template)
            for task in tasks:
                self.put_task(task)

    def set_task_error(self, task_id: str, error: str) -> None:
        self._conn.execute("UPDATE tasks SET error = ? WHERE id = ?", (error, task_id))

    def delete_task(self, task_id: str) -> None:
        self._conn.execute("DELETE FROM tasks WHERE id = ?", (task_id,))

    # -- templates ------------------------------------------------------------------

    def template(self, template_id: str) -> TemplateRecord | None:
        row = self._conn.execute(
            f"SELECT {_TEMPLATE_COLUMNS} FROM templates WHERE id = ?", (template_id,)
        ).fetchone()
        return None if row is None else TemplateRecord(*row)

    def templates(self, pattern: str = "", offset: int = 0, limit: int = -1) -> list[TemplateRecord]:
        rows = self._conn.execute(
            f"SELECT {_TEMPLATE_COLUMNS} FROM templates"
            " WHERE ? = '' OR id GLOB ? ORDER BY id LIMIT ? OFFSET ?",
            (pattern, pattern, limit, offset),
        )
        return [TemplateRecord(*row) for row in rows]

    def put_template(self, template: TemplateRecord) -> None:
        self._conn.execute(
            f"INSERT OR REPLACE INTO templates ({_TEMPLATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (
                template.id,
                template.type,
                template.script,
                template.error,
                template.created,
                template.modified,
            ),
        )

    def delete_template(self, template_id: str) -> None:
        self._conn.execute("DELETE FROM templates WHERE id = ?", (template_id,))


class _Transaction:
    """``with``: BEGIN, then COMMIT, or ROLLBACK on an exception (autocommit otherwise)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self._conn.execute("ROLLBACK" if kind is not None else "COMMIT")


def _task(row: tuple[Any, ...]) -> TaskRecord:
    (task_id, template_id, typ, dbrps, script, vars_, status, error, created, modified, last_enabled) = row
    return TaskRecord(
        id=task_id,
        template_id=template_id,
        type=typ,
        dbrps=json.loads(dbrps),
        script=script,
        vars=json.loads(vars_),
        status=status,
        error=error,
        created=created,
        modified=modified,
        last_enabled=last_enabled,
    )
