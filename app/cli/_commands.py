"""The command set of ``leyden``: areas register commands and listable resources.

An area module has ``register(commands)`` and calls :meth:`Commands.add` for its
commands and :meth:`Commands.add_resource` for what ``list`` and ``delete`` accept
(``list tasks``, ``delete templates``), so a new area (alert topics, recordings) is
one module and one line in ``leyden.app.cli.AREAS``. Options are spelled as in
Kapacitor's CLI (``-url``, ``-tick``, ``-dbrp``) and also accept two dashes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from ._client import ApiError, Client, ServerDown, default_url

#: Exit statuses: a command the server refused, and a server that cannot be reached.
EXIT_FAILED = 3
EXIT_UNREACHABLE = 4


class CommandError(Exception):
    """A command cannot go on; the message is printed and leyden exits with status 3."""


@dataclass
class Context:
    """What a command runs with: parsed arguments, the server (connected on first use)
    and where to print."""

    args: argparse.Namespace
    out: TextIO = field(default_factory=lambda: sys.stdout)
    _client: Client | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Client(self.args.url)
        return self._client

    def print(self, *parts: Any) -> None:
        print(*parts, file=self.out)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


Handler = Callable[[Context], "int | None"]


@dataclass
class Resource:
    """Something ``list`` and ``delete`` act on, by id or glob pattern."""

    name: str
    lister: Callable[[Context, list[str]], None]
    deleter: Callable[[Context, list[str]], None]


class Commands:
    """The parser and handlers of every command."""

    def __init__(self) -> None:
        self.parser = argparse.ArgumentParser(
            prog="leyden",
            description="Manage a leyden (or Kapacitor) server through Kapacitor's HTTP API.",
            allow_abbrev=False,
        )
        self.parser.add_argument(
            "-url",
            "--url",
            default=default_url(),
            help="the server's URL (default: $LEYDEN_URL, $KAPACITOR_URL or http://localhost:9092)",
        )
        self._sub = self.parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
        self.resources: dict[str, Resource] = {}

    def add(self, name: str, handler: Handler, help: str, **kwargs: Any) -> argparse.ArgumentParser:
        """Add a command; returns its parser for the command's own arguments."""
        parser = self._sub.add_parser(name, help=help, description=help, allow_abbrev=False, **kwargs)
        parser.set_defaults(handler=handler)
        return parser

    def add_resource(
        self,
        name: str,
        lister: Callable[[Context, list[str]], None],
        deleter: Callable[[Context, list[str]], None],
    ) -> None:
        self.resources[name] = Resource(name, lister, deleter)

    def finish(self) -> None:
        """Add ``list`` and ``delete`` over the registered resources."""
        kinds = sorted(self.resources)
        listing = self.add(
            "list", self._list, "list tasks, templates, ... (optionally matching ids or globs)"
        )
        listing.add_argument("kind", choices=kinds)
        listing.add_argument("patterns", nargs="*", metavar="ID-OR-PATTERN")
        deleting = self.add("delete", self._delete, "delete tasks, templates, ... by id or glob")
        deleting.add_argument("kind", choices=kinds)
        deleting.add_argument("patterns", nargs="+", metavar="ID-OR-PATTERN")

    def _list(self, ctx: Context) -> None:
        self.resources[ctx.args.kind].lister(ctx, ctx.args.patterns)

    def _delete(self, ctx: Context) -> None:
        self.resources[ctx.args.kind].deleter(ctx, ctx.args.patterns)

    def run(self, argv: Sequence[str] | None, out: TextIO | None = None) -> int:
        args = self.parser.parse_args(argv)
        ctx = Context(args, out or sys.stdout)
        try:
            return args.handler(ctx) or 0
        except ServerDown as err:
            print(f"leyden: {err}", file=sys.stderr)
            return EXIT_UNREACHABLE
        except (ApiError, CommandError) as err:
            print(f"leyden: {err}", file=sys.stderr)
            return EXIT_FAILED
        finally:
            ctx.close()
