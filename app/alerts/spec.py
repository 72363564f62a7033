"""Topic handler definitions, as the API and handler files carry them.

::

    {"id": "slack", "kind": "slack", "options": {"channel": "#alerts"}, "match": "level() >= WARNING"}

The topic comes from the URL (or the ``topic`` key of a handler file). A definition is
checked here for its shape only; whether its kind exists and its options and match
expression are valid is found out by building it (:mod:`leyden.app.alerts.handlers`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .topics import valid_topic_id


class SpecError(ValueError):
    """A handler definition that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class HandlerSpec:
    """One topic handler: ``options`` as given (a JSON object or None), ``match`` "" for all."""

    topic: str
    id: str
    kind: str
    options: dict[str, Any] | None = None
    match: str = ""

    @classmethod
    def from_json(cls, topic: str, body: Any) -> HandlerSpec:
        """A definition from a decoded JSON body; unknown keys are ignored, as Go does."""
        if not isinstance(body, Mapping):
            raise SpecError("invalid handler json: expected an object")
        values = {}
        for key in ("id", "kind", "match"):
            value = body.get(key)
            if value is not None and not isinstance(value, str):
                raise SpecError(f"invalid handler json: {key} must be a string, not {json_type(value)}")
            values[key] = value or ""
        options = body.get("options")
        if options is not None and not isinstance(options, Mapping):
            raise SpecError(f"invalid handler json: options must be an object, not {json_type(options)}")
        return cls(
            topic, values["id"], values["kind"], None if options is None else dict(options), values["match"]
        )

    def validate(self) -> None:
        """Kapacitor's checks of ids and kind."""
        if not valid_topic_id(self.topic):
            raise SpecError(
                f"handler topic must contain only letters, numbers, '-', '.', ':' and '_'. {self.topic!r}"
            )
        if not self.id or not all(c.isalpha() or c in "-._0123456789" for c in self.id):
            raise SpecError(f"handler ID must contain only letters, numbers, '-', '.' and '_'. {self.id!r}")
        if not self.kind:
            raise SpecError("handler Kind must not be empty")

    def to_json(self) -> dict[str, Any]:
        """The definition as Kapacitor stores it (the document JSON patches apply to)."""
        return {
            "id": self.id,
            "topic": self.topic,
            "kind": self.kind,
            "options": self.options,
            "match": self.match,
        }


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return "string" if isinstance(value, str) else "null"
