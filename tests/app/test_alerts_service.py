"""The alert service with tasks in-process: aggregate and publish actions under a mock
clock, inhibited events, previous levels per topic, and saving in batches."""

import json
import socket
import sqlite3
from contextlib import asynccontextmanager, closing

import pytest
import trio
import trio.testing

from leyden.app.alerts import AlertService, HandlerSpec
from leyden.app.storage import Store
from leyden.kernel import HandlerSpec as PluginHandlerSpec
from leyden.kernel import PluginRegistry, hookimpl
from leyden.kernel.testing import open_task
from leyden.plugins.alerts import AlertEvent, DeliveryPolicy, Level
from leyden.tick import functions

S = 10**9
SCRIPT = """stream
  |from().measurement('cpu').groupBy('host')
  |alert()
    .warn(lambda: "value" > 70)
    .crit(lambda: "value" > 90)
    .message('{{ .ID }} is {{ .Level }}')
    .details('')
    .topic('cpu')
"""


@asynccontextmanager
async def running_service(plugins, path, sections=None):
    store = Store.open(path)
    try:
        async with trio.open_nursery() as nursery:
            service = await nursery.start(AlertService(plugins, store, lambda: sections or {}).run)
            yield service
            nursery.cancel_scope.cancel()
    finally:
        store.close()


@pytest.fixture
async def service(plugins, tmp_path):
    async with running_service(plugins, tmp_path / "leyden.db") as s:
        yield s


@asynccontextmanager
async def cpu_task(plugins, service):
    async with open_task(SCRIPT, plugins=plugins, services={"alerts": service, "config": {}}) as task:
        yield task


def read_log(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def stored_events(path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT COUNT(*) FROM alert_events").fetchone()[0]


def event(alert_id="cpu:nil", level=Level.CRITICAL, **changes) -> AlertEvent:
    base = AlertEvent(
        id=alert_id, message=f"{alert_id} is {level}", details="", time=0, duration=0, level=level, data={}
    )
    return base.replace(**changes)


async def test_aggregate_publishes_one_summary_per_interval(autojump_clock, plugins, service, tmp_path):
    log = tmp_path / "agg.log"
    options = {"interval": "10m", "topic": "cpu_agg", "message": "{{ .Count }} alerts in {{ .Interval }}"}
    service.create_handler(HandlerSpec("cpu", "agg", "aggregate", options))
    service.create_handler(HandlerSpec("cpu_agg", "to_log", "log", {"path": str(log)}))
    start = trio.current_time()
    async with cpu_task(plugins, service) as task:
        await task.write(
            "cpu,host=a value=95 10\ncpu,host=b value=75 20\ncpu,host=a value=1 30\n", precision="s"
        )
        await trio.sleep_until(start + 599)
        assert "cpu_agg" not in service.topics or not service.topics["cpu_agg"].events
        await trio.sleep_until(start + 601)
        summary = service.topics["cpu_agg"].events["agg"]
        assert (summary.level, summary.time, summary.message) == (Level.CRITICAL, 30 * S, "3 alerts in 10m0s")
        assert summary.details == "cpu:host=a is CRITICAL\ncpu:host=b is WARNING\ncpu:host=a is OK"
        assert len(summary.data["series"]) == 3
        # an interval without events publishes nothing
        await trio.sleep_until(start + 1201)
        assert service.topics["cpu_agg"].collected == 1
        await task.write("cpu,host=b value=10 40\n", precision="s")
        await trio.sleep_until(start + 1801)
    assert [(e["id"], e["level"], e["message"]) for e in read_log(log)] == [
        ("agg", "CRITICAL", "3 alerts in 10m0s"),
        ("agg", "OK", "1 alerts in 10m0s"),
    ]


async def test_publish_sends_each_event_on_to_other_topics(autojump_clock, plugins, service, tmp_path):
    service.create_handler(HandlerSpec("cpu", "fan_out", "publish", {"topics": ["ops", "system"]}))
    service.publish("system", event("cpu:host=a", Level.WARNING))
    async with cpu_task(plugins, service) as task:
        await task.write("cpu,host=a value=95 10\n", precision="s")
    for topic in ("ops", "system"):
        forwarded = service.topics[topic].events["cpu:host=a"]
        assert (forwarded.level, forwarded.topic, forwarded.message) == (
            Level.CRITICAL,
            topic,
            "cpu:host=a is CRITICAL",
        )
    # each topic has its own previous state of the alert
    assert service.topics["ops"].events["cpu:host=a"].previous_level == Level.OK
    assert service.topics["system"].events["cpu:host=a"].previous_level == Level.WARNING


async def test_inhibited_events_reach_actions_but_no_external_handler(autojump_clock, service, tmp_path):
    log = tmp_path / "a.log"
    service.create_handler(HandlerSpec("cpu", "to_log", "log", {"path": str(log)}))
    service.create_handler(HandlerSpec("cpu", "copy", "publish", {"topics": ["copy"]}))
    service.publish("cpu", event("quiet", no_external=True))
    service.publish("cpu", event("loud"))
    await trio.testing.wait_all_tasks_blocked()
    assert [e["id"] for e in read_log(log)] == ["loud"]
    assert sorted(service.topics["copy"].events) == ["loud", "quiet"]


async def test_a_failing_match_skips_the_event(autojump_clock, service, tmp_path, caplog):
    log = tmp_path / "a.log"
    service.create_handler(HandlerSpec("cpu", "to_log", "log", {"path": str(log)}, match="\"host\" == 'a'"))
    service.publish("cpu", event("no_tags"))
    service.publish("cpu", event("tagged", tags={"host": "a"}))
    await trio.testing.wait_all_tasks_blocked()
    assert [e["id"] for e in read_log(log)] == ["tagged"]
    assert "cannot evaluate match for alert 'no_tags'" in caplog.text


async def test_events_are_saved_in_batches_and_when_the_service_stops(autojump_clock, plugins, tmp_path):
    path = tmp_path / "leyden.db"
    async with running_service(plugins, path) as service:
        service.publish("cpu", event("a", time=20 * S, duration=15 * S))
        service.publish("cpu", event("b", Level.WARNING))
        assert stored_events(path) == 0
        await trio.sleep(1)
        assert stored_events(path) == 2
        service.publish("cpu", event("b", Level.OK))
        service.publish("mem", event("c"))
        service.create_handler(HandlerSpec("mem", "copy", "publish", {"topics": ["x"]}))
        service.delete_topic("cpu_never_seen")
    async with running_service(plugins, path) as service:
        levels = {t: {i: e.level for i, e in topic.events.items()} for t, topic in service.topics.items()}
        assert levels == {"cpu": {"a": Level.CRITICAL, "b": Level.OK}, "mem": {"c": Level.CRITICAL}}
        assert service.event_state("cpu", "a") == (Level.CRITICAL, 5 * S)
        assert service.event_state("cpu", "z") is None
        assert [s.id for s in service.handler_specs("mem")] == ["copy"]
        service.delete_topic("cpu")
    async with running_service(plugins, path) as service:
        assert sorted(service.topics) == ["mem"]


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_failing_handler_is_retried_as_configured_and_logged_with_the_alert(
    autojump_clock, plugins, tmp_path, caplog
):
    sections = {"tcp": {"retries": 2, "retry-interval": "10s"}}
    async with running_service(plugins, tmp_path / "leyden.db", sections) as service:
        address = f"127.0.0.1:{unused_port()}"
        service.create_handler(HandlerSpec("cpu", "down", "tcp", {"address": address}))
        service.publish("cpu", event("cpu:host=a"))
        await trio.sleep(100)
        stats = service.handlers["cpu"]["down"].queue.stats
        assert (stats.retried, stats.failed, stats.delivered) == (2, 1, 0)
    assert "topic cpu, handler down (tcp): gave up on alert 'cpu:host=a' after 3 attempts" in caplog.text


class StuckHandler:
    """A handler whose endpoint never answers."""

    def __init__(self, options, section):
        self.policy = DeliveryPolicy.from_section(section)

    async def handle(self, event):
        await trio.sleep_forever()


class StuckPlugin:
    @hookimpl
    def leyden_alert_handlers(self):
        return [PluginHandlerSpec("stuck", StuckHandler, config_section="stuck")]


async def test_a_stuck_handler_loses_its_own_events_and_never_blocks_publishing(autojump_clock, tmp_path):
    plugins = PluginRegistry.from_modules(functions, StuckPlugin())
    sections = {"stuck": {"queue-size": 3}}
    async with running_service(plugins, tmp_path / "leyden.db", sections) as service:
        service.create_handler(HandlerSpec("cpu", "stuck", "stuck"))
        for i in range(10):
            service.publish("cpu", event(f"alert{i}"))
        assert service.topics["cpu"].collected == 10
        assert service.handlers["cpu"]["stuck"].queue.stats.dropped == 7
