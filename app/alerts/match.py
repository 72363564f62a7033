"""Match expressions: which events of a topic a handler takes.

A topic handler's ``match`` is a TICKscript lambda body, compiled once when the
handler is defined (a bad one is refused then, with the compiler's message)::

    match: changed() == TRUE AND level() >= WARNING AND "host" == 's001.example.com'

Besides the tags (and fields) of the data that triggered the alert, an expression
sees the event through Kapacitor's functions ``level()`` (an int, compared with the
constants ``OK``, ``INFO``, ``WARNING``, ``CRITICAL``), ``changed()`` (the level
differs from the topic's previous state of that alert: Kapacitor 1.5's
stateChangesOnly for topic handlers), ``name()`` (measurement), ``taskName()`` and
``duration()``. Kapacitor 1.5 reads tags only; fields are offered as its
documentation promises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from leyden.kernel import Duration, FunctionSpec, Point, PointError, TickError, ValueType
from leyden.plugins.alerts import AlertEvent, Level
from leyden.tick import LType, declare, parse_lambda
from leyden.tick.lambdas import compile_lambda

#: The identifiers a match expression may use.
LEVEL_CONSTANTS = {str(level): (ValueType.INT, int(level)) for level in Level}


class Match:
    """A compiled match expression; call it with an event to test it."""

    def __init__(self, text: str, functions: Mapping[str, FunctionSpec]) -> None:
        self.text = text
        self._event: AlertEvent | None = None
        try:
            compiled = compile_lambda(
                parse_lambda(text),
                scope=LEVEL_CONSTANTS,
                functions={**functions, **self._event_functions()},
            )
        except TickError as err:
            raise ValueError(f"invalid match expression {text!r}: {err}") from None
        except RecursionError:
            raise ValueError("invalid match expression: it nests too deeply") from None
        if compiled.type not in (LType.BOOL, None):
            raise ValueError(f"invalid match expression {text!r}: it is {compiled.type}, not boolean")
        # one evaluator per handler: stateful functions (count(), sigma()) count its events
        self._evaluate = compiled.evaluator()

    def __call__(self, event: AlertEvent) -> bool:
        """Whether ``event`` matches; raises :class:`PointError` if it cannot be evaluated."""
        self._event = event
        try:
            value = self._evaluate(Point(event.name, event.tags, event.fields, event.time))
        finally:
            self._event = None
        if type(value) is not bool:
            raise PointError(f"match expression is not boolean: {value!r}")
        return value

    def _event_functions(self) -> dict[str, FunctionSpec]:
        def current() -> AlertEvent:
            if self._event is None:
                raise PointError("no event")
            return self._event

        @declare(returns=LType.INT)
        def level() -> int:
            return int(current().level)

        @declare(returns=LType.BOOL)
        def changed() -> bool:
            event = current()
            return event.level != event.previous_level

        @declare(returns=LType.STRING)
        def name() -> str:
            return current().name

        @declare(returns=LType.STRING)
        def task_name() -> str:
            return current().task_name

        @declare(returns=LType.DURATION)
        def duration() -> Duration:
            return Duration(current().duration)

        impls: dict[str, Callable[[], Any]] = {
            "level": level,
            "changed": changed,
            "name": name,
            "taskName": task_name,
            "duration": duration,
        }
        return {n: FunctionSpec(n, impl, arity=(0,), doc=f"The event's {n}.") for n, impl in impls.items()}
