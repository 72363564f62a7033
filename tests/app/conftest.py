"""Servers for the app tests: in the test's own trio run, or ``leydend`` as a process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trio

from leyden.app.config import Config
from leyden.app.server import Server
from leyden.kernel import PluginRegistry


def server_config(data_dir: Path) -> Config:
    config = Config(data_dir=str(data_dir))
    config.http.bind_address = "127.0.0.1:0"
    return config


@asynccontextmanager
async def running_server(config: Config, plugins: PluginRegistry) -> AsyncIterator[Server]:
    """A server on a free port in this trio run; stopped cleanly on exit."""
    async with trio.open_nursery() as nursery:
        server = await nursery.start(Server(config, plugins).run)
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    """``make_config()``: a config for a server on a free port with its data under tmp_path."""
    return lambda name="data": server_config(tmp_path / name)


@pytest.fixture
def start_server(plugins: PluginRegistry) -> Callable[[Config], AbstractAsyncContextManager[Server]]:
    """``async with start_server(config) as server``: a server in this test's trio run."""
    return lambda config: running_server(config, plugins)


@pytest.fixture
async def server(tmp_path: Path, plugins: PluginRegistry) -> AsyncIterator[Server]:
    async with running_server(server_config(tmp_path / "data"), plugins) as s:
        yield s


@pytest.fixture
async def client(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url) as c:
        yield c


@dataclass
class Daemon:
    """A ``leydend`` process; ``url`` is where it listens."""

    proc: subprocess.Popen[str]
    url: str
    data_dir: Path

    def terminate(self, timeout: float = 20) -> int:
        """SIGTERM, then the exit status (raises if it does not exit in time)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        status = self.proc.wait(timeout=timeout)
        self.proc.stderr.close()  # type: ignore[union-attr]
        return status


def start_daemon(
    data_dir: Path, *extra: str, env: dict[str, str] | None = None, command: tuple[str, ...] = ("leydend",)
) -> Daemon:
    """Start leydend on a free port and wait (reading its log, not the clock) until it listens."""
    proc = subprocess.Popen(
        [*command, "--data-dir", str(data_dir), "--bind", "127.0.0.1:0", *extra],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        match = re.search(r"listening on (http://[^\s,()]+)", line)
        if match:
            return Daemon(proc, match.group(1), data_dir)
    proc.wait(timeout=20)
    raise AssertionError("leydend did not start:\n" + "".join(seen))


@pytest.fixture
def launch_daemon(tmp_path: Path) -> Iterator[Callable[..., Daemon]]:
    """``launch_daemon(*flags, env=...)``: a leydend on tmp_path's data dir, terminated at the end."""
    started: list[Daemon] = []

    def launch(
        *extra: str, env: dict[str, str] | None = None, command: tuple[str, ...] = ("leydend",)
    ) -> Daemon:
        d = start_daemon(tmp_path / "data", *extra, env=env, command=command)
        started.append(d)
        return d

    yield launch
    for d in started:
        d.terminate()


@pytest.fixture
def daemon(launch_daemon: Callable[..., Daemon]) -> Daemon:
    return launch_daemon()


@pytest.fixture
def unused_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
