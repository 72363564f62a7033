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

import enum
from collections.abc import Callable, Mapping
from typing import Any

from leyden.kernel import Batch, Point, batch_row, parse_time, point_row, result
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


#: ``render()`` -> ``(message, details)``, called at most once, when first needed.
TextRenderer = Callable[[], tuple[str, str]]


class AlertEvent:
    """One alert event. ``time`` and ``duration`` are nanoseconds; ``data`` is the
    Kapacitor result (``{"series": [row]}``) of the point or batch that triggered it.

    Rendering the message and details templates (by default ``{{ json . }}`` of the
    whole event) costs far more than deciding the level, and many events reach no one
    who reads them (an alert whose output only feeds ``httpOut``). So the alert node
    hands over ``render`` instead of the texts and the point or batch itself as
    ``data``, and they are turned into text and a result on first access, by whichever
    handler or topic reads them first.
    """

    __slots__ = (
        "_data",
        "_details",
        "_message",
        "_render",
        "category",
        "duration",
        "fields",
        "group",
        "id",
        "level",
        "name",
        "no_external",
        "previous_level",
        "recoverable",
        "tags",
        "task_name",
        "time",
        "topic",
    )

    def __init__(
        self,
        id: str,
        message: str | None = None,
        details: str | None = None,
        time: int = 0,
        duration: int = 0,
        level: Level = Level.OK,
        data: Mapping[str, Any] | Point | Batch | None = None,
        previous_level: Level = Level.OK,
        recoverable: bool = True,
        name: str = "",
        task_name: str = "",
        category: str = "",
        group: str = "",
        tags: Mapping[str, str] | None = None,
        fields: Mapping[str, Any] | None = None,
        topic: str = "",
        no_external: bool = False,
        render: TextRenderer | None = None,
    ) -> None:
        # The alert node passes all of these by position (keywords cost three times
        # as much, per event): keep their order.
        self.id = id
        self._message = message
        self._details = details
        self._render = render
        self.time = time
        self.duration = duration
        self.level = level
        self._data = data if data is not None else {}
        self.previous_level = previous_level
        self.recoverable = recoverable
        self.name = name
        self.task_name = task_name
        self.category = category
        self.group = group
        self.tags = tags if tags is not None else {}
        self.fields = fields if fields is not None else {}
        self.topic = topic
        #: Inhibited events update topic state but reach no external handler.
        self.no_external = no_external

    @property
    def message(self) -> str:
        if self._message is None:
            self._render_texts()
        return self._message  # type: ignore[return-value]

    @property
    def details(self) -> str:
        if self._details is None:
            self._render_texts()
        return self._details  # type: ignore[return-value]

    @property
    def data(self) -> Mapping[str, Any]:
        data = self._data
        if type(data) is Point:
            data = self._data = result([point_row(data)])
        elif type(data) is Batch:
            data = self._data = result([batch_row(data)])
        return data  # type: ignore[return-value]

    def _render_texts(self) -> None:
        message, details = self._render() if self._render is not None else ("", "")
        if self._message is None:
            self._message = message
        if self._details is None:
            self._details = details
        self._render = None

    def replace(self, **changes: Any) -> AlertEvent:
        """A copy with some attributes changed; what was rendered is kept, what was
        not is still rendered once per copy at most."""
        copy = AlertEvent.__new__(AlertEvent)
        for slot in AlertEvent.__slots__:
            setattr(copy, slot, getattr(self, slot))
        for key, value in changes.items():
            setattr(copy, f"_{key}" if key in ("message", "details", "data") else key, value)
        return copy

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AlertEvent):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in _COMPARED)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"AlertEvent(id={self.id!r}, level={self.level}, time={self.time}, topic={self.topic!r})"

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


_COMPARED = (
    "id", "message", "details", "time", "duration", "level", "data", "previous_level",
    "recoverable", "name", "task_name", "category", "group", "tags", "fields", "topic", "no_external",
)  # fmt: skip


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
