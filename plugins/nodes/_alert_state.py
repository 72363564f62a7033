"""An alert's state for one group: level history, flapping, state changes, durations.

This is Kapacitor's bookkeeping, rule for rule, because users tune their alerts
against it: the level history is a ring of ``history`` entries (at least 2), a
change is a level different from the previous entry, flapping is a weighted
percentage of changes across the ring (the newest changes weigh most), and an
alert's duration runs from the first event after an OK to the latest event.
"""

from __future__ import annotations

from leyden.plugins.alerts import Level

OK = Level.OK

#: The newest state change weighs ``WEIGHT_DIFF`` times the oldest one...
WEIGHT_DIFF = 1.5
#: ...and at most ``MAX_WEIGHT``.
MAX_WEIGHT = 1.2


class AlertState:
    """Level history and timing of one group of an alert node.

    The history ring exists only when flapping is detected: without it, the latest
    level and the one before are all Kapacitor's rules read.
    """

    __slots__ = (
        "changed",
        "expired",
        "first_triggered",
        "flap_high",
        "flap_low",
        "flapping",
        "history",
        "idx",
        "last_triggered",
        "level",
        "max_interval",
        "previous",
    )

    def __init__(
        self,
        history: int,
        *,
        flapping: tuple[float, float] | None = None,
        max_interval: int = 0,
    ) -> None:
        #: The latest level recorded, and the one before it.
        self.level = OK
        self.previous = OK
        self.history = [OK] * max(history, 2) if flapping is not None else None
        self.idx = 0
        self.flap_low, self.flap_high = flapping if flapping is not None else (-1.0, -1.0)
        self.flapping = False
        self.changed = False
        self.expired = False
        self.first_triggered = 0
        self.last_triggered = 0
        self.max_interval = max_interval

    def add_event(self, time: int, level: Level) -> None:
        """Record the level of a new point or batch."""
        self.previous = previous = self.level
        self.level = level
        self.changed = changed = previous != level
        if self.history is not None:
            self._ring(level)
        self.expired = (
            not changed and self.max_interval != 0 and time - self.last_triggered >= self.max_interval
        )

    def fires(self, time: int, level: Level, changes_only: bool) -> bool:
        """Record the level of a new point and say whether it makes an event, as
        Kapacitor rules: not while flapping, never an OK after an OK, and with
        ``changes_only`` no repeated level until the maximum interval expires. An
        event's time is recorded (:meth:`triggered`). This is :meth:`add_event` and
        :meth:`triggered` in one call, for the per-point path."""
        self.previous = previous = self.level
        self.level = level
        self.changed = changed = previous != level
        if self.history is not None:
            self._ring(level)
        self.expired = expired = (
            not changed and self.max_interval != 0 and time - self.last_triggered >= self.max_interval
        )
        if self.flapping or (not changed and (level == OK or (changes_only and not expired))):
            return False
        self.last_triggered = time
        if previous == OK:
            self.first_triggered = time
        return True

    def triggered(self, time: int) -> None:
        """Record that an event was sent at ``time``; the first after an OK starts the clock."""
        self.last_triggered = time
        if self.previous == OK:
            self.first_triggered = time

    def duration(self) -> int:
        """Nanoseconds from the first event of the current alert to the latest."""
        return self.last_triggered - self.first_triggered

    def _ring(self, level: Level) -> None:
        """Add ``level`` to the history ring and update flapping."""
        history = self.history
        assert history is not None
        self.idx = idx = (self.idx + 1) % len(history)
        history[idx] = level
        change = self.percent_change()
        if self.flapping and change < self.flap_low:
            self.flapping = False
        elif not self.flapping and change > self.flap_high:
            self.flapping = True

    def percent_change(self) -> float:
        """The weighted share of level changes across the history ring."""
        history = self.history
        assert history is not None  # kept only when flapping is detected
        size = len(history)
        changes = 0.0
        weight = MAX_WEIGHT / WEIGHT_DIFF
        step = (MAX_WEIGHT - weight) / (size - 1)
        for i in range(size - 1):
            current = (i + self.idx) % size
            previous = current - 1 if current else size - 1
            if history[current] != history[previous]:
                changes += weight
            weight += step
        return changes / (size - 1)
