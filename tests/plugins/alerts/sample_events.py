"""A sample alert event and its JSON, for the alert handler tests (not a test module);
the receivers they send to are in ``tests/receivers.py``."""

from __future__ import annotations

from leyden.kernel import Point, point_row, result
from leyden.plugins.alerts import AlertEvent, Level

T0 = 1577836830 * 10**9  # 2020-01-01T00:00:30Z


def sample_event(**changes) -> AlertEvent:
    point = Point("cpu", {"host": "a"}, {"value": 95.0}, T0)
    event = AlertEvent(
        id="cpu:nil",
        message="cpu:nil is CRITICAL",
        details="",
        time=T0,
        duration=20 * 10**9,
        level=Level.CRITICAL,
        data=result([point_row(point)]),
        previous_level=Level.WARNING,
        name="cpu",
        task_name="t",
        tags={"host": "a"},
        fields={"value": 95.0},
    )
    return event.replace(**changes) if changes else event


SAMPLE_JSON = (
    '{"id":"cpu:nil","message":"cpu:nil is CRITICAL","details":"","time":"2020-01-01T00:00:30Z",'
    '"duration":20000000000,"level":"CRITICAL","data":{"series":[{"name":"cpu","tags":{"host":"a"},'
    '"columns":["time","value"],"values":[["2020-01-01T00:00:30Z",95]]}]},'
    '"previousLevel":"WARNING","recoverable":true}'
)
