"""Tasks and templates: stored in the :class:`Store`, compiled and run by the kernel.

This is Kapacitor's task store service. It owns the rules the API exposes: what a
valid task is, what changes on an update, when a task starts, stops or restarts, how
a template's tasks follow it, and what survives a restart (everything stored; the
enabled tasks start again). A task's script is compiled when it is defined (so a bad
one is refused with the compiler's line and column) and again each time it starts.

A stored task keeps its own copy of its template's script, refreshed whenever the
template changes, so deleting a template that tasks still use leaves them working,
as in Kapacitor.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import trio

from leyden.kernel import (
    DBRP,
    EdgeType,
    Kernel,
    Pipeline,
    RunningTask,
    TaskError,
    TickError,
    resolve_dbrps,
)

from . import dot
from .alerts import AlertService
from .errors import InvalidRequestError, NotFoundError, StartError
from .storage import Store, TaskRecord, TemplateRecord
from .vars import VarError, parse_vars, to_api_vars, to_task_vars

log = logging.getLogger("leyden.tasks")

ENABLED = "enabled"
DISABLED = "disabled"
TASK_TYPES = ("stream", "batch")

#: Compiled pipelines kept for showing tasks that are not running.
_PIPELINE_CACHE_SIZE = 256


def valid_id(text: str) -> bool:
    """Kapacitor's task and template ids: letters, ASCII digits, ``-``, ``.`` and ``_``."""
    return bool(text) and all(c.isalpha() or c in "-._0123456789" for c in text)


@dataclass
class TaskView:
    """What the API shows of a task: the record plus what only the kernel knows."""

    record: TaskRecord
    dbrps: list[dict[str, str]]
    executing: bool
    error: str
    dot: str
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class TemplateView:
    """What the API shows of a template: the record plus its declared vars and graph."""

    record: TemplateRecord
    vars: dict[str, dict[str, Any]]
    dot: str
    error: str


class TaskService:
    """Defines, updates, starts and stops tasks and templates.

    Run :meth:`run` in the server's nursery: it starts the stored enabled tasks and
    then samples each running task's throughput once a second.
    """

    def __init__(
        self, kernel: Kernel, store: Store, *, start_enabled: bool = True, alerts: AlertService | None = None
    ) -> None:
        self.kernel = kernel
        self.store = store
        #: Told when a task is deleted, to drop the task's anonymous topics.
        self.alerts = alerts
        self.start_enabled = start_enabled
        self._throughput: dict[str, float] = {}
        self._pipelines: dict[str, Pipeline | TickError | TaskError] = {}

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        if self.start_enabled:
            await self.start_stored()
        task_status.started()
        await self._sample_throughput()

    async def start_stored(self) -> None:
        """Start every stored enabled task; one that fails keeps its error and stays enabled."""
        for record in self.store.tasks():
            if record.enabled:
                try:
                    await self._start(record)
                except StartError as err:
                    log.error("task %s did not start: %s", record.id, err)

    # -- tasks: reading ---------------------------------------------------------------

    def task(self, task_id: str) -> TaskRecord:
        record = self.store.task(task_id)
        if record is None:
            raise NotFoundError("no task exists")
        return record

    def view(self, record: TaskRecord, *, labels: bool = False) -> TaskView:
        """Everything the API shows of a task, computed now."""
        state = self.kernel.task(record.id)
        running = None if state is None else state.running
        error = state.error if state is not None and state.error else record.error
        if running is not None:
            return TaskView(
                record,
                _api_dbrps(state.dbrps),
                True,
                error,
                dot.executing_dot(running, self._throughput.get(record.id, 0.0), labels=labels),
                self.stats(running),
            )
        compiled = self._cached_pipeline(record)
        if isinstance(compiled, Exception):
            return TaskView(record, record.dbrps, False, _invalid(compiled), "")
        try:
            dbrps = _api_dbrps(resolve_dbrps(compiled, _kernel_dbrps(record.dbrps)))
        except TaskError:
            dbrps = record.dbrps
        return TaskView(record, dbrps, False, error, compiled.dot(record.id))

    def stats(self, running: RunningTask) -> dict[str, Any]:
        return {
            "task-stats": {"throughput": self._throughput.get(running.id, 0.0)},
            "node-stats": dot.node_stats(running),
        }

    def format_script(self, script: str) -> str:
        """The script in Kapacitor's canonical layout, or as written if that fails."""
        try:
            return self.kernel.compiler.format(script)
        except Exception:
            return script

    # -- tasks: writing ---------------------------------------------------------------

    async def create_task(self, body: Mapping[str, Any]) -> TaskRecord:
        """``POST /tasks``: store a new task and start it if it is enabled."""
        task_id = body.get("id") or str(uuid.uuid4())
        if not isinstance(task_id, str) or not valid_id(task_id):
            raise InvalidRequestError(
                f"task ID must contain only letters, numbers, '-', '.' and '_'. {json.dumps(task_id)}"
            )
        if self.store.task(task_id) is not None:
            raise InvalidRequestError(f"task {task_id} already exists")
        template_id = _string(body, "template-id")
        if template_id:
            template = self._template_for_task(template_id)
            typ, script = template.type, template.script
        else:
            typ = _string(body, "type")
            if typ and typ not in TASK_TYPES:
                raise InvalidRequestError(f"unknown type {json.dumps(typ)}")
            script = _string(body, "script")
            if not script:
                raise InvalidRequestError("must provide TICKscript")
        dbrps = _parse_dbrps(body.get("dbrps"))
        api_vars = _parse_vars(body.get("vars"))
        pipeline = self._check(script, typ, api_vars, dbrps)
        now = self.kernel.clock.now_ns()
        record = TaskRecord(
            id=task_id,
            type=typ or pipeline.type.value,
            script=script,
            dbrps=dbrps,
            vars=api_vars,
            template_id=template_id,
            status=_status(body) or DISABLED,
            created=now,
            modified=now,
        )
        if record.enabled:
            record.last_enabled = now
        self.store.put_task(record)
        if record.enabled:
            await self._start(record)
        return record

    async def update_task(self, task_id: str, body: Mapping[str, Any]) -> TaskRecord:
        """``PATCH /tasks/<id>``: change what the body names; start, stop or restart as needed."""
        existing = self.store.task(task_id)
        if existing is None:
            raise NotFoundError("task does not exist, cannot update")
        updated = TaskRecord(**{**existing.__dict__})
        template_id = _string(body, "template-id") or existing.template_id
        if template_id:
            template = self._template_for_task(template_id)
            updated.template_id, updated.type, updated.script = template_id, template.type, template.script
        else:
            typ = _string(body, "type")
            if typ:
                if typ not in TASK_TYPES:
                    raise InvalidRequestError(f"unknown type {json.dumps(typ)}")
                updated.type = typ
            updated.script = _string(body, "script") or existing.script
        if body.get("dbrps"):
            updated.dbrps = _parse_dbrps(body["dbrps"])
        if body.get("vars"):
            updated.vars = _parse_vars(body["vars"])
        updated.status = _status(body) or existing.status
        self._check(updated.script, updated.type, updated.vars, updated.dbrps)
        now = self.kernel.clock.now_ns()
        updated.modified = now
        status_changed = updated.status != existing.status
        if status_changed and updated.enabled:
            updated.last_enabled = now
        self.store.put_task(updated)
        if status_changed and not updated.enabled:
            await self.kernel.stop(task_id)
        elif updated.enabled and (status_changed or _definition(updated) != _definition(existing)):
            await self._start(updated)
        return updated

    async def delete_task(self, task_id: str) -> None:
        """``DELETE /tasks/<id>``: stop and forget, with the task's anonymous alert
        topics; deleting a missing task is no error."""
        await self.kernel.stop(task_id)
        self.store.delete_task(task_id)
        self._throughput.pop(task_id, None)
        if self.alerts is not None:
            self.alerts.delete_task_topics(task_id)

    # -- templates --------------------------------------------------------------------

    def template(self, template_id: str) -> TemplateRecord:
        record = self.store.template(template_id)
        if record is None:
            raise NotFoundError("no template exists")
        return record

    def template_view(self, record: TemplateRecord) -> TemplateView:
        try:
            declared = self.kernel.compiler.declared_vars(record.script, self.kernel.plugins)
        except (TickError, TaskError) as err:
            return TemplateView(record, {}, "", _invalid(err))
        try:
            graph = self._compile(record.script, record.type, {}).dot(record.id)
        except (TickError, TaskError):
            graph = ""
        return TemplateView(record, to_api_vars(declared), graph, record.error)

    def create_template(self, body: Mapping[str, Any]) -> TemplateRecord:
        """``POST /templates``: check and store a template."""
        template_id = body.get("id") or str(uuid.uuid4())
        if not isinstance(template_id, str) or not valid_id(template_id):
            raise InvalidRequestError(
                "template ID must contain only letters, numbers, '-', '.' and '_'. " + json.dumps(template_id)
            )
        if self.store.template(template_id) is not None:
            raise InvalidRequestError(f"template {template_id} already exists")
        typ = _string(body, "type")
        if typ not in TASK_TYPES:
            raise InvalidRequestError(f"unknown type {json.dumps(typ)}")
        script = _string(body, "script")
        if not script:
            raise InvalidRequestError("must provide TICKscript")
        self._check_template(script, typ)
        now = self.kernel.clock.now_ns()
        record = TemplateRecord(template_id, typ, script, created=now, modified=now)
        self.store.put_template(record)
        return record

    async def update_template(self, template_id: str, body: Mapping[str, Any]) -> TemplateRecord:
        """``PATCH /templates/<id>``: change it, and every task made from it.

        Every task is checked against the new script before anything is saved, so an
        update that would break one of them changes nothing; then the template and its
        tasks are saved in one transaction and the enabled tasks restart.
        """
        existing = self.store.template(template_id)
        if existing is None:
            raise NotFoundError("template does not exist, cannot update")
        updated = TemplateRecord(**{**existing.__dict__})
        typ = _string(body, "type")
        if typ:
            if typ not in TASK_TYPES:
                raise InvalidRequestError(f"unknown type {json.dumps(typ)}")
            updated.type = typ
        updated.script = _string(body, "script") or existing.script
        self._check_template(updated.script, updated.type)
        tasks = self.store.tasks_of_template(template_id)
        for task in tasks:
            try:
                self._check(updated.script, updated.type, task.vars, task.dbrps)
            except InvalidRequestError as err:
                raise InvalidRequestError(f"error updating associated task {task.id}: {err}") from None
            task.script, task.type = updated.script, updated.type
        updated.modified = self.kernel.clock.now_ns()
        self.store.put_template_and_tasks(updated, tasks)
        for task in tasks:
            if task.enabled:
                await self._start(task)
        return updated

    def delete_template(self, template_id: str) -> None:
        """``DELETE /templates/<id>``: its tasks keep running on their copy of the script."""
        self.store.delete_template(template_id)

    # -- internals --------------------------------------------------------------------

    def _template_for_task(self, template_id: str) -> TemplateRecord:
        template = self.store.template(template_id)
        if template is None:
            raise InvalidRequestError(f"unknown template {template_id}: err: no template exists")
        return template

    def _compile(self, script: str, typ: str | None, api_vars: Mapping[str, Any]) -> Pipeline:
        return self.kernel.compile(
            script, vars=to_task_vars(api_vars), task_type=EdgeType(typ) if typ else None
        )

    def _check(
        self, script: str, typ: str | None, api_vars: Mapping[str, Any], dbrps: list[dict[str, str]]
    ) -> Pipeline:
        """Compile a task definition; a bad one is a 400 naming what is wrong."""
        try:
            pipeline = self._compile(script, typ, api_vars)
            resolve_dbrps(pipeline, _kernel_dbrps(dbrps))
        except (TickError, TaskError) as err:
            raise InvalidRequestError(_invalid(err)) from err
        return pipeline

    def _check_template(self, script: str, typ: str) -> None:
        """A template must parse; it must also compile unless some var has no default."""
        try:
            declared = self.kernel.compiler.declared_vars(script, self.kernel.plugins)
            if all(v.value is not None or v.type == "star" for v in declared.values()):
                self._compile(script, typ, {})
        except (TickError, TaskError) as err:
            raise InvalidRequestError(_invalid(err)) from err

    def _cached_pipeline(self, record: TaskRecord) -> Pipeline | TickError | TaskError:
        key = json.dumps([record.script, record.type, record.vars], sort_keys=True)
        compiled = self._pipelines.get(key)
        if compiled is None:
            try:
                compiled = self._compile(record.script, record.type, record.vars)
            except (TickError, TaskError) as err:
                compiled = err
            if len(self._pipelines) >= _PIPELINE_CACHE_SIZE:
                self._pipelines.clear()
            self._pipelines[key] = compiled
        return compiled

    async def _start(self, record: TaskRecord) -> None:
        """(Re)start a stored task; a failure is saved on the task and raised as a 500."""
        try:
            pipeline = self._compile(record.script, record.type, record.vars)
            await self.kernel.start(record.id, pipeline, resolve_dbrps(pipeline, _kernel_dbrps(record.dbrps)))
        except (TickError, TaskError) as err:
            self.store.set_task_error(record.id, str(err))
            raise StartError(str(err)) from err
        record.error = ""
        self.store.set_task_error(record.id, "")
        self._throughput[record.id] = 0.0

    async def _sample_throughput(self) -> None:
        """Every second: points (or batches) per second into each running task's sources."""
        last: dict[str, tuple[RunningTask, int]] = {}
        while True:
            await trio.sleep(1)
            seen = {}
            for task_id, state in self.kernel.registry.tasks.items():
                running = state.running
                if running is None:
                    continue
                count = sum(running.stats[n.name].collected for n in running.pipeline.nodes if not n.parents)
                previous = last.get(task_id)
                if previous is not None and previous[0] is running:
                    self._throughput[task_id] = float(count - previous[1])
                seen[task_id] = (running, count)
            last = seen


def _definition(record: TaskRecord) -> tuple[Any, ...]:
    return (record.type, record.script, record.dbrps, record.vars, record.template_id)


def _invalid(err: Exception) -> str:
    return f"invalid TICKscript: {err}" if isinstance(err, TickError) else str(err)


def _string(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRequestError(f"{key} must be a string")
    return value


def _status(body: Mapping[str, Any]) -> str:
    """The ``status`` a body asks for ("" if none); anything but enabled or disabled
    is refused rather than silently taken as disabled."""
    status = _string(body, "status")
    if status and status not in (ENABLED, DISABLED):
        raise InvalidRequestError(f'invalid status {json.dumps(status)}: want "enabled" or "disabled"')
    return status


def _parse_vars(raw: Any) -> dict[str, dict[str, Any]]:
    try:
        return parse_vars(raw)
    except VarError as err:
        raise InvalidRequestError(str(err)) from None


def _parse_dbrps(raw: Any) -> list[dict[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidRequestError("dbrps must be a list of {db, rp} objects")
    out = []
    for item in raw:
        if not (
            isinstance(item, dict) and isinstance(item.get("db"), str) and isinstance(item.get("rp"), str)
        ):
            raise InvalidRequestError(f'invalid dbrp {json.dumps(item)}: want {{"db": ..., "rp": ...}}')
        out.append({"db": item["db"], "rp": item["rp"]})
    return out


def _kernel_dbrps(dbrps: list[dict[str, str]]) -> list[DBRP]:
    return [(d["db"], d["rp"]) for d in dbrps]


def _api_dbrps(dbrps: list[DBRP]) -> list[dict[str, str]]:
    return [{"db": db, "rp": rp} for db, rp in dbrps]
