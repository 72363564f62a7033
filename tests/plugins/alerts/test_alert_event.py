"""The alert event's JSON and template data: Kapacitor's alert.Data, byte for byte."""

from __future__ import annotations

import json

import pytest
from sample_events import SAMPLE_JSON, sample_event

from leyden.plugins.alerts import Level
from leyden.tick.gotemplate import Template


def test_json_is_kapacitors_alert_data():
    event = sample_event()
    assert event.to_json() == SAMPLE_JSON
    assert list(json.loads(event.to_json())) == [
        "id", "message", "details", "time", "duration", "level", "data", "previousLevel", "recoverable",
    ]  # fmt: skip


def test_batch_data_without_tags_and_no_recoveries():
    data = {
        "series": [{"name": "cpu", "columns": ["time", "mean"], "values": [["2020-01-01T00:00:30Z", 1.5]]}]
    }
    event = sample_event(data=data, recoverable=False, level=Level.OK, duration=0)
    doc = json.loads(event.to_json())
    assert doc["data"] == data
    assert doc["level"] == "OK"
    assert doc["recoverable"] is False


def test_template_data_for_handler_bodies():
    event = sample_event()
    # the example alert-template of Kapacitor's post handler documentation, and more
    text = "{{.Message}}:{{range .Data.Series}}{{.Tags}},{{range .Values}}{{.}}{{end}}{{end}}"
    text += " was {{.PreviousLevel}}"
    body = Template.parse(text).render(event.template_data())
    assert body == "cpu:nil is CRITICAL:map[host:a],[2020-01-01 00:00:30 +0000 UTC 95] was WARNING"


@pytest.mark.parametrize("name", ["OK", "INFO", "WARNING", "CRITICAL"])
def test_levels(name):
    assert str(Level.parse(name.lower())) == name
    with pytest.raises(ValueError, match="unknown alert level"):
        Level.parse("bad")
