"""Topic handlers at work: a definition built into a handler with its queue.

A handler's kind is any loaded alert handler plugin (``log``, ``post``, ``tcp``,
``exec``, ...), built from the definition's options exactly as a script's
``.log(...)`` is, or one of Kapacitor's actions ``aggregate`` and ``publish``. Each
handler gets a bounded queue and a worker (:class:`HandlerQueue`, as the alert node's
own handlers do): the topic offers it events without waiting, the worker tests the
match expression and delivers, with the plugin's timeout and retries. Inhibited
events (``no_external``) reach the actions but no external handler.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import trio

from leyden.kernel import PluginRegistry, PointError, TickError
from leyden.plugins.alerts import AlertEvent, HandlerQueue

from .actions import AggregateAction, Collector, PublishAction
from .match import Match
from .spec import HandlerSpec, SpecError

log = logging.getLogger("leyden.alerts")

#: The kinds that act on topics rather than call out.
ACTION_KINDS = ("aggregate", "publish")
#: Match evaluation failures logged per handler before it goes quiet about them.
MAX_LOGGED_ERRORS = 10


class TopicHandler:
    """One running topic handler. Start :meth:`run` in a nursery; :meth:`close` lets
    it deliver what is queued and return."""

    def __init__(self, spec: HandlerSpec, target: Any, match: Match | None, *, external: bool) -> None:
        self.spec = spec
        self.target = target
        self.match = match
        self.external = external
        self.match_errors = 0
        self._checked: tuple[AlertEvent | None, bool] = (None, False)
        label = f"topic {spec.topic}, handler {spec.id} ({spec.kind})"
        self.queue = HandlerQueue(self, label, getattr(target, "policy", None))

    def offer(self, event: AlertEvent) -> None:
        """Queue ``event`` without waiting (inhibited events skip external handlers)."""
        if self.external and event.no_external:
            return
        self.queue.offer(event)

    async def handle(self, event: AlertEvent) -> None:
        """Deliver ``event`` if it matches (called by the queue, once per attempt)."""
        if self.match is not None and not self._matches(event):
            return
        await self.target.handle(event)

    def _matches(self, event: AlertEvent) -> bool:
        # a retried delivery must not evaluate (stateful) match functions again
        seen, matched = self._checked
        if seen is event:
            return matched
        assert self.match is not None
        try:
            matched = self.match(event)
        except PointError as err:
            self.match_errors += 1
            if self.match_errors <= MAX_LOGGED_ERRORS:
                log.warning("%s: cannot evaluate match for alert %r: %s", self.queue.label, event.id, err)
            matched = False
        self._checked = (event, matched)
        return matched

    async def run(self) -> None:
        async with trio.open_nursery() as nursery:
            timer = getattr(self.target, "run", None)
            if timer is not None:
                nursery.start_soon(timer)
            await self.queue.run()
            nursery.cancel_scope.cancel()

    def close(self) -> None:
        self.queue.close()


def build_handler(
    spec: HandlerSpec,
    *,
    plugins: PluginRegistry,
    sections: Mapping[str, Any],
    collector: Collector,
) -> TopicHandler:
    """A handler from its definition; raises :class:`SpecError` saying what is wrong."""
    spec.validate()
    options = spec.options or {}
    try:
        if spec.kind == "aggregate":
            target: Any = AggregateAction(spec.id, options, collector)
        elif spec.kind == "publish":
            target = PublishAction(spec.topic, options, collector)
        else:
            handler_spec = plugins.handlers.get(spec.kind)
            if handler_spec is None:
                known = ", ".join(sorted([*plugins.handlers, *ACTION_KINDS]))
                raise SpecError(f"unsupported action kind {spec.kind!r} (loaded: {known})")
            target = handler_spec.build(options, sections)
        match = Match(spec.match, plugins.functions) if spec.match else None
    except SpecError:
        raise
    except (ValueError, TypeError, TickError) as err:
        raise SpecError(str(err)) from None
    return TopicHandler(spec, target, match, external=spec.kind not in ACTION_KINDS)
