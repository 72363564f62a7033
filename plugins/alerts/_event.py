"""Alert events: what an alert node hands to handlers and topics.

An event is Kapacitor's ``alert.Event``: the state (id, message, details, time,
duration, level) and the data that triggered it (measurement, tags, fields and the
Kapacitor result with the point or batch). Handlers write it out as Kapacitor's
alert JSON, one shape for every handler::

    {"id":"cpu:nil","message":"cpu:nil is CRITICAL","details":"","time":"2020-01-01T00:00:30Z",
     "duration":0,"level":"CRITICAL","data":{"series":[...]},"previousLevel":"OK","recoverable":true}

Events are immutable and shared by every handler and topic that receives them.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any

from leyden.kernel import parse_time
from leyden.tick.gotemplate import GoDuration, GoStruct, GoTime, StringMap, go_json


class Level(enum.IntEnum):
    """Alert levels, ordered by severity; ``str(level)`` is Kapacitor's name."""

    OK = 0
    INFO = 1
    WARNING = 2
    CRITICAL = 3

    def __str__(self) -> str:
        return self.name

    @classmethod
    def parse(cls, text: str) -> Level:
        """``"critical"`` or ``"CRITICAL"`` -> ``Level.CRITICAL``; raises ValueError."""
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown alert level {text!r}") from None


@dataclasses.dataclass(frozen=True, slots=True)
class AlertEvent:
    """One alert event. ``time`` and ``duration`` are nanoseconds; ``data`` is the
    Kapacitor result (``{"series": [row]}``) of the point or batch that triggered it."""

    id: str
    message: str
    details: str
    time: int
    duration: int
    level: Level
    data: Mapping[str, Any]
    previous_level: Level = Level.OK
    recoverable: bool = True
    name: str = ""
    task_name: str = ""
    category: str = ""
    group: str = ""
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)
    fields: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    topic: str = ""
    #: Inhibited events update topic state but reach no external handler.
    no_external: bool = False

    def replace(self, **changes: Any) -> AlertEvent:
        return dataclasses.replace(self, **changes)

    def alert_data(self) -> GoStruct:
        """Kapacitor's ``alert.Data``, the JSON document handlers send."""
        return GoStruct(
            "alert.Data",
            {
                "id": self.id,
                "message": self.message,
                "details": self.details,
                "time": GoTime(self.time),
                "duration": GoDuration(self.duration),
                "level": str(self.level),
                "data": _result_struct(self.data),
                "previousLevel": str(self.previous_level),
                "recoverable": self.recoverable,
            },
        )

    def to_json(self) -> str:
        """The event as Kapacitor's alert JSON (no trailing newline)."""
        return go_json(self.alert_data())

    def template_data(self) -> GoStruct:
        """What a handler's body template sees (``.ID``, ``.Level``, ``.Data.Series``...)."""
        return GoStruct(
            "alert.Data",
            {
                "ID": self.id,
                "Message": self.message,
                "Details": self.details,
                "Time": GoTime(self.time),
                "Duration": GoDuration(self.duration),
                "Level": str(self.level),
                "Data": GoStruct("models.Result", {"Series": [_row_template(r) for r in _rows(self.data)]}),
                "PreviousLevel": str(self.previous_level),
                "Recoverable": self.recoverable,
            },
        )


def _rows(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(data.get("series") or ())


def _result_struct(data: Mapping[str, Any]) -> GoStruct:
    """A result dict as Go's ``models.Result`` (series rows keep Go's field order)."""
    rows = data.get("series")
    series = None if rows is None else [_row_struct(r) for r in rows]
    return GoStruct("models.Result", {"series": series})


def _row_struct(row: Mapping[str, Any]) -> GoStruct:
    fields: dict[str, Any] = {}
    for key in ("name", "tags", "columns", "values"):
        if row.get(key):
            fields[key] = row[key]
    return GoStruct("models.Row", fields)


def _row_template(row: Mapping[str, Any]) -> GoStruct:
    """A row as templates see it: times as ``time.Time``, tags as a string map."""
    values = []
    for value_row in row.get("values") or ():
        if value_row and isinstance(value_row[0], str):
            value_row = [GoTime(parse_time(value_row[0])), *value_row[1:]]
        values.append(list(value_row))
    return GoStruct(
        "models.Row",
        {
            "Name": row.get("name", ""),
            "Tags": StringMap(row.get("tags") or {}),
            "Columns": list(row.get("columns") or ()),
            "Values": values,
        },
    )
