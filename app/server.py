"""One leyden server: store, kernel, task service and HTTP API in one trio nursery.

Start order: the store opens (and migrates), the kernel starts, the alert service
restores topics and handlers, the stored enabled tasks start, and only then does the
API listen, so a client that reaches the server finds its tasks running. Stop order is
the reverse: :meth:`Server.stop` makes hypercorn stop accepting and finish the
requests in flight, then the tasks are cancelled (they stay enabled in the store, to
start again next time), the alert service saves its last events and the store closes.
"""

from __future__ import annotations

import functools
import logging
import uuid

import hypercorn.trio
import trio
from hypercorn.config import Config as HypercornConfig

from leyden.kernel import Kernel, PluginRegistry

from .alerts import AlertService
from .api import create_app
from .config import Config, ConfigError
from .services import Services
from .sideload import SideloadService
from .storage import Store
from .tasks import TaskService

log = logging.getLogger("leyden.server")

#: Idle keep-alive connections are kept this long (seconds); writers such as
#: Telegraf reuse one connection for hours.
KEEP_ALIVE_TIMEOUT = 60


class Server:
    """Run with ``server = await nursery.start(Server(config).run)``; ``server.url``
    is where it listens (useful with port 0) and ``server.stop()`` shuts it down."""

    def __init__(self, config: Config, plugins: PluginRegistry | None = None) -> None:
        self.config = config
        self.plugins = plugins
        self.urls: list[str] = []
        self.services: Services | None = None
        self._stop = trio.Event()

    @property
    def url(self) -> str:
        return self.urls[0]

    def stop(self) -> None:
        """Begin a clean shutdown; :meth:`run` returns when it is done."""
        self._stop.set()

    async def run(self, *, task_status: trio.TaskStatus[Server] = trio.TASK_STATUS_IGNORED) -> None:
        config = self.config
        store = Store.open(config.storage_path)
        try:
            plugins = self.plugins or PluginRegistry.load(config.plugins.lock or None)
            sideload = SideloadService()
            kernel = Kernel(plugins, services={"config": config, "plugins": plugins, "sideload": sideload})
            async with trio.open_nursery() as nursery:
                await nursery.start(kernel.run)
                alerts = AlertService(kernel.plugins, store, config.sections)
                kernel.services["alerts"] = await nursery.start(alerts.run)
                tasks = TaskService(kernel, store, start_enabled=config.task.start_enabled, alerts=alerts)
                await nursery.start(tasks.run)
                self.services = Services(
                    config=config,
                    kernel=kernel,
                    store=store,
                    tasks=tasks,
                    alerts=alerts,
                    sideload=sideload,
                    cluster_id=_identity(store, "cluster_id"),
                    server_id=_identity(store, "server_id"),
                )
                self.urls = await nursery.start(self._serve_http, nursery.cancel_scope)
                task_status.started(self)
        finally:
            store.close()
            log.info("stopped")

    async def _serve_http(
        self, cancel_scope: trio.CancelScope, *, task_status: trio.TaskStatus[list[str]]
    ) -> None:
        assert self.services is not None
        app = create_app(self.services)
        serve = functools.partial(hypercorn.trio.serve, app, self._hypercorn_config(), mode="asgi")
        try:
            await serve(shutdown_trigger=self._stop.wait, task_status=task_status)
        except* OSError as group:  # hypercorn binds inside a nursery: the error comes grouped
            if self.urls:  # listening already: not a bind error
                raise
            err: BaseException = group
            while isinstance(err, BaseExceptionGroup):
                err = err.exceptions[0]
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            raise ConfigError(f"cannot listen on {self.config.http.bind_address}: {reason}") from None
        cancel_scope.cancel()

    def _hypercorn_config(self) -> HypercornConfig:
        http = self.config.http
        cfg = HypercornConfig()
        cfg.bind = [_bind_address(http.bind_address)]
        cfg.accesslog = logging.getLogger("leyden.http") if http.log_enabled else None
        cfg.errorlog = logging.getLogger("leyden.http")
        cfg.keep_alive_timeout = KEEP_ALIVE_TIMEOUT
        cfg.include_server_header = False
        return cfg


def _bind_address(address: str) -> str:
    """Kapacitor writes ``:9092`` for every interface; hypercorn wants a host."""
    return f"0.0.0.0{address}" if address.startswith(":") else address


def _identity(store: Store, key: str) -> str:
    """A random id made on first start and kept in the store (cluster and server ids)."""
    value = store.meta(key)
    if value is None:
        value = str(uuid.uuid4())
        store.set_meta(key, value)
    return value
