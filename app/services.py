"""What the HTTP API and the daemon share: the kernel and the services around it."""

from __future__ import annotations

from dataclasses import dataclass

from leyden.kernel import Kernel

from .alerts import AlertService
from .config import Config
from .sideload import SideloadService
from .storage import Store
from .tasks import TaskService


@dataclass
class Services:
    """One running server's parts; the API reaches them as ``current_services()``."""

    config: Config
    kernel: Kernel
    store: Store
    tasks: TaskService
    alerts: AlertService
    sideload: SideloadService
    cluster_id: str
    server_id: str
