"""Delivering alert events to a handler off the pipeline's hot path.

A :class:`HandlerQueue` sits in front of one handler: the alert node (or a topic)
offers it events without ever waiting, and a worker task hands them to the handler
one by one, with a timeout and retries. A slow or dead handler fills its own queue
and loses events (counted and logged, at most every few seconds); it never slows
the pipeline or the other handlers.

Usage, inside a nursery::

    queue = HandlerQueue(handler, "task cpu, node alert2, .post()")
    nursery.start_soon(queue.run)
    queue.offer(event)      # never blocks
    queue.close()           # the worker delivers what is queued, then returns
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import trio

from ._common import NS, DeliveryPolicy, HandlerRefused
from ._event import AlertEvent

log = logging.getLogger("leyden.alerts")

#: Drops counted between two looks at the drop log's clock.
DROPS_PER_LOG_CHECK = 256
#: How long a handler may take to close when its queue ends.
CLOSE_SECONDS = 5

#: Seconds between two log lines about the same kind of trouble on one queue.
LOG_INTERVAL = 10.0


@dataclass
class DeliveryStats:
    """Plain counters of one handler queue."""

    delivered: int = 0
    failed: int = 0
    retried: int = 0
    refused: int = 0
    dropped: int = 0


class RateLimitedLog:
    """Logs the first occurrence, then at most once per interval with a count."""

    def __init__(self, interval: float = LOG_INTERVAL) -> None:
        self.interval = interval
        self.last = float("-inf")
        self.suppressed = 0

    def __call__(self, level: int, message: str, *args: Any) -> None:
        now = trio.current_time()
        if now - self.last < self.interval:
            self.suppressed += 1
            return
        if self.suppressed:
            message += f" ({self.suppressed} similar messages suppressed)"
        self.last = now
        self.suppressed = 0
        log.log(level, message, *args)


class HandlerQueue:
    """A bounded queue of events for one handler and the worker that drains it."""

    def __init__(self, handler: Any, label: str, policy: DeliveryPolicy | None = None) -> None:
        self.handler = handler
        self.label = label
        self.policy = policy or getattr(handler, "policy", None) or DeliveryPolicy()
        self._send, self._receive = trio.open_memory_channel[AlertEvent](self.policy.queue_size)
        self.stats = DeliveryStats()
        #: Events offered and not yet taken by the worker, and how many fit: a
        #: producer can skip building an event that would only be dropped.
        self.queued = 0
        self.capacity = self.policy.queue_size
        #: Called when a full queue gets room again (a producer that stopped building
        #: events for it can start again).
        self.on_room: Callable[[], None] | None = None
        self._log_drop = RateLimitedLog()
        self._log_retry = RateLimitedLog()
        self._log_failure = RateLimitedLog()

    def offer(self, event: AlertEvent) -> bool:
        """Queue ``event`` without waiting; False (and counted) if the queue is full."""
        if self.queued >= self.capacity:
            self.drop(event.id)
            return False
        try:
            self._send.send_nowait(event)
        except (trio.WouldBlock, trio.ClosedResourceError):
            self.drop(event.id)
            return False
        self.queued += 1
        return True

    def drop(self, alert_id: str) -> None:
        """Count (and now and then log) an event this queue had no room for. Drops
        come at stream rate: only one in :data:`DROPS_PER_LOG_CHECK` looks at the
        clock of the rate-limited log."""
        self.stats.dropped += 1
        if self.stats.dropped % DROPS_PER_LOG_CHECK == 1:
            self.log_drop(alert_id)

    def log_drop(self, alert_id: str) -> None:
        """Log, at most every few seconds, that events are being dropped."""
        self._log_drop(
            logging.WARNING,
            "%s: handler queue full (%d events), dropped alert %r (%d dropped in all)",
            self.label,
            self.capacity,
            alert_id,
            self.stats.dropped,
        )

    def close(self) -> None:
        """No more events; the worker finishes the queued ones and returns."""
        self._send.close()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        try:
            async with self._receive:
                async for event in self._receive:
                    self.queued -= 1
                    if self.on_room is not None and self.queued == self.capacity - 1:
                        self.on_room()
                    await self._deliver(event)
        finally:
            await self._close_handler()

    async def _close_handler(self) -> None:
        """Let the handler release what it keeps between events (``aclose()``),
        also when the worker is cancelled, but never for long."""
        aclose = getattr(self.handler, "aclose", None)
        if aclose is None:
            return
        with trio.CancelScope(shield=True), trio.move_on_after(CLOSE_SECONDS):
            try:
                await aclose()
            except Exception as err:
                log.warning("%s: error closing the handler: %s", self.label, err)

    async def _deliver(self, event: AlertEvent) -> None:
        policy = self.policy
        delay = policy.retry_interval_ns
        attempts = policy.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                with trio.fail_after(policy.timeout_ns / NS):
                    await self.handler.handle(event)
            except HandlerRefused as err:
                self.stats.refused += 1
                self._log_failure(logging.WARNING, "%s: refused alert %r: %s", self.label, event.id, err)
                return
            except trio.TooSlowError:
                problem = f"no answer within {policy.timeout_ns / NS:g}s"
            except Exception as err:
                problem = str(err) or type(err).__name__
            else:
                self.stats.delivered += 1
                return
            if attempt == attempts:
                break
            self.stats.retried += 1
            self._log_retry(
                logging.WARNING,
                "%s: failed to handle alert %r (attempt %d of %d, retrying in %gs): %s",
                self.label,
                event.id,
                attempt,
                attempts,
                delay / NS,
                problem,
            )
            await trio.sleep(delay / NS)
            delay *= 2
        self.stats.failed += 1
        self._log_failure(
            logging.ERROR,
            "%s: gave up on alert %r after %d attempts: %s",
            self.label,
            event.id,
            attempts,
            problem,
        )
