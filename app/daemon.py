"""``leydend``: the server process (``leyden serve`` runs the same).

    leydend [-config FILE] [--data-dir DIR] [--bind ADDR] [--plugins-lock FILE] [--pidfile FILE]
    leydend config [-config FILE]      # print the effective configuration as TOML

Settings come from the defaults, then the file (``-config`` or ``$LEYDEN_CONFIG_PATH``),
then ``LEYDEN_*`` variables, then the flags. One ``trio.run`` holds everything; SIGINT
or SIGTERM stops it cleanly (requests in flight answered, tasks stopped, store closed)
with exit status 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import trio

from leyden.kernel import LeydenError, tune_gc

from . import config as config_module
from .config import Config, ConfigError
from .server import Server

log = logging.getLogger("leyden.daemon")

CONFIG_ENV = "LEYDEN_CONFIG_PATH"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="leydend",
        description="leyden server: Kapacitor's HTTP API v1 on a stream engine",
        allow_abbrev=False,
    )
    add_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The daemon's flags; ``leyden serve`` takes the same."""
    p.add_argument(
        "command", nargs="?", choices=["run", "config"], default="run", help="run (default) or config"
    )
    p.add_argument("-config", "--config", metavar="FILE", help=f"TOML config file (default: ${CONFIG_ENV})")
    p.add_argument("--data-dir", metavar="DIR", help="where the store lives (default ./leyden-data)")
    p.add_argument("--bind", metavar="ADDR", help="HTTP bind address (default 127.0.0.1:9092)")
    p.add_argument("--plugins-lock", metavar="FILE", help="the plugin lock file to enforce")
    p.add_argument("-pidfile", "--pidfile", metavar="FILE", help="write the process id here while running")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Run the parsed command; returns the exit status."""
    try:
        config = effective_config(args)
        if args.command == "config":
            sys.stdout.write(config.to_toml())
            return 0
        setup_logging(config)
    except LeydenError as err:
        print(f"leydend: {err}", file=sys.stderr)
        return 1
    pidfile = Path(args.pidfile) if args.pidfile else None
    try:
        trio.run(serve, config, pidfile)
    except Exception as group:
        err = _unwrap(group)
        if isinstance(err, LeydenError | OSError):
            log.error("cannot start: %s", err)
            return 1
        raise
    return 0


def _unwrap(err: BaseException) -> BaseException:
    """The one error inside nested single-error groups (trio wraps errors of tasks)."""
    while isinstance(err, BaseExceptionGroup) and len(err.exceptions) == 1:
        err = err.exceptions[0]
    return err


def effective_config(args: argparse.Namespace) -> Config:
    path = args.config or os.environ.get(CONFIG_ENV) or None
    config = config_module.load(path)
    if args.data_dir:
        config.data_dir = args.data_dir
    if args.bind:
        config.http.bind_address = args.bind
    if args.plugins_lock:
        config.plugins.lock = args.plugins_lock
    return config


def setup_logging(config: Config) -> None:
    """Log as ``[logging]`` says; raises :class:`ConfigError` for a level Python's
    logging does not know or a file that cannot be opened."""
    level = config.logging.level.upper()
    if level not in logging.getLevelNamesMapping():
        raise ConfigError(
            f"[logging] level must be DEBUG, INFO, WARNING or ERROR, not {config.logging.level!r}"
        )
    target = config.logging.file
    if target.upper() == "STDOUT":
        handler: logging.Handler = logging.StreamHandler(sys.stdout)
    elif target.upper() == "STDERR":
        handler = logging.StreamHandler(sys.stderr)
    else:
        try:
            handler = logging.FileHandler(target)
        except OSError as err:
            raise ConfigError(f"[logging] file: cannot open {target}: {err.strerror}") from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


async def serve(config: Config, pidfile: Path | None = None) -> None:
    """Run a server until SIGINT or SIGTERM, then shut it down cleanly."""
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with trio.open_nursery() as nursery:
            server = Server(config)
            await nursery.start(server.run)
            tune_gc()
            if pidfile is not None:
                pidfile.write_text(f"{os.getpid()}\n")
            data_dir = Path(config.data_dir).resolve()
            log.info("listening on %s (data in %s)", " ".join(server.urls), data_dir)
            try:
                async for signum in signals:
                    log.info("%s received, shutting down", signal.Signals(signum).name)
                    server.stop()
                    break
            finally:
                if pidfile is not None:
                    pidfile.unlink(missing_ok=True)
