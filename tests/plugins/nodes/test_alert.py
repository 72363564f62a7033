"""The |alert() node: levels, state tracking, events, what it passes on, its handlers.

Expected events are worked out by hand from Kapacitor's rules (the alert-* corpus
cases, run in test_alert_conformance.py, check the common paths against Kapacitor).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import trio
import trio.testing
from receivers import HTTPReceiver, start_http, start_tcp

from leyden.app.alerts import AlertService
from leyden.app.alerts.spec import HandlerSpec
from leyden.app.storage import Store
from leyden.kernel import Kernel, LeydenError
from leyden.kernel.testing import open_task
from leyden.plugins.alerts import AlertEvent, Level
from leyden.plugins.nodes.alert import RECORD_INTERVAL, AlertNode

S = 10**9


def lines(*values: float, field: str = "value", tags: str = "host=a", start: int = 0, step: int = 10) -> str:
    return "".join(f"cpu,{tags} {field}={v} {start + i * step}\n" for i, v in enumerate(values))


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def read_lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


async def until(done, timeout: float = 10) -> None:
    """Let the handlers' tasks (and the processes and sockets they wait on) run until
    ``done()``; it gives up, failing the test, after ``timeout`` seconds."""
    with trio.fail_after(timeout):
        while not done():
            await trio.testing.wait_all_tasks_blocked()
            await trio.sleep(0)


def alert_node(task) -> AlertNode:
    (node,) = [n for n in task.state.running.instances.values() if isinstance(n, AlertNode)]
    return node


class Topics:
    """Records what an alert node publishes: the ``alerts`` service interface."""

    def __init__(self) -> None:
        self.published: list[tuple[str, object]] = []

    def publish(self, topic, event) -> None:
        self.published.append((topic, event))


async def test_reset_expressions_hold_a_level(tmp_path):
    # the example of Kapacitor's AlertNode documentation
    log = tmp_path / "a.log"
    script = f"""
    stream
        |from().measurement('cpu')
        |alert()
            .info(lambda: "value" > 60)
            .infoReset(lambda: "value" < 50)
            .warn(lambda: "value" > 70)
            .warnReset(lambda: "value" < 60)
            .crit(lambda: "value" > 80)
            .critReset(lambda: "value" < 70)
            .details('')
            .log('{log}')
    """
    async with open_task(script) as task:
        await task.write(lines(61, 73, 64, 85, 62, 56, 47), precision="s")
    levels = [e["level"] for e in read_log(log)]
    assert levels == ["INFO", "WARNING", "WARNING", "CRITICAL", "INFO", "INFO", "OK"]


async def test_state_changes_only_with_a_maximum_interval(tmp_path):
    log = tmp_path / "a.log"
    script = f"""
    stream
        |from().measurement('cpu')
        |alert()
            .crit(lambda: "value" > 90)
            .stateChangesOnly(30s)
            .details('')
            .log('{log}')
    """
    async with open_task(script) as task:
        await task.write(lines(95, 95, 95, 95, 95, 95, 95, 10), precision="s")
    events = [(e["time"][-3:], e["level"], e["duration"] // S) for e in read_log(log)]
    # the unchanged level is sent again once 30s have passed since the last event
    assert events == [
        ("00Z", "CRITICAL", 0),
        ("30Z", "CRITICAL", 30),
        ("00Z", "CRITICAL", 60),
        ("10Z", "OK", 70),
    ]


async def test_groups_have_their_own_state_and_ids(tmp_path):
    log = tmp_path / "a.log"
    script = f"""
    stream
        |from().measurement('cpu').groupBy('host')
        |alert()
            .crit(lambda: "value" > 90)
            .message('{{{{ .ID }}}} {{{{ .Group }}}} {{{{ index .Tags "host" }}}}')
            .details('')
            .log('{log}')
    """
    data = "cpu,host=a value=95 0\ncpu,host=b value=10 0\ncpu,host=b value=99 10\ncpu,host=a value=1 10\n"
    async with open_task(script) as task:
        await task.write(data, precision="s")
    assert [(e["message"], e["level"], e["previousLevel"]) for e in read_log(log)] == [
        ("cpu:host=a host=a a", "CRITICAL", "OK"),
        ("cpu:host=b host=b b", "CRITICAL", "OK"),
        ("cpu:host=a host=a a", "OK", "CRITICAL"),
    ]


async def test_default_details_are_html_escaped_json(tmp_path):
    log = tmp_path / "a.log"
    script = f"""
    stream
        |from().measurement('cpu')
        |alert()
            .crit(lambda: "value" > 90)
            .log('{log}')
    """
    services = {"server_info": {"Hostname": "h", "ClusterID": "c", "ServerID": "s"}}
    async with open_task(script, services=services) as task:
        await task.write(lines(95), precision="s")
    (event,) = read_log(log)
    q = "&#34;"
    assert event["details"] == (
        f"{{{q}Name{q}:{q}cpu{q},{q}TaskName{q}:{q}test{q},{q}Group{q}:{q}nil{q},"
        f"{q}Tags{q}:{{{q}host{q}:{q}a{q}}},"
        f"{q}ServerInfo{q}:{{{q}Hostname{q}:{q}h{q},{q}ClusterID{q}:{q}c{q},{q}ServerID{q}:{q}s{q}}},"
        f"{q}ID{q}:{q}cpu:nil{q},{q}Fields{q}:{{{q}value{q}:95}},{q}Level{q}:{q}CRITICAL{q},"
        f"{q}Time{q}:{q}1970-01-01T00:00:00Z{q},{q}Duration{q}:0,{q}Message{q}:{q}cpu:nil is CRITICAL{q}}}\n"
    )


async def test_message_template_sees_time_duration_and_fields(tmp_path):
    log = tmp_path / "a.log"
    message = (
        "{{ .Level }} for {{ .Duration }} at {{ .Time.Unix }}: "
        '{{ index .Fields "value" | printf "%.1f" }} on {{ .TaskName }}'
    )
    script = f"""
    stream
        |from().measurement('cpu')
        |alert()
            .warn(lambda: "value" > 50)
            .message('{message}')
            .details('')
            .log('{log}')
    """
    async with open_task(script, task_id="cpu_alert") as task:
        await task.write(lines(60, 75.25, start=100, step=90), precision="s")
    assert [e["message"] for e in read_log(log)] == [
        "WARNING for 0s at 100: 60.0 on cpu_alert",
        "WARNING for 1m30s at 190: 75.2 on cpu_alert",
    ]


async def test_passes_on_alerted_points_with_tags_and_fields():
    script = """
    stream
        |from().measurement('cpu')
        |alert()
            .crit(lambda: "value" > 90)
            .id('{{ .Name }}!')
            .idTag('alertID')
            .idField('aid')
            .levelTag('level')
            .levelField('lvl')
            .messageField('msg')
            .durationField('dur')
        |httpOut('out')
    """
    async with open_task(script) as task:
        await task.write(lines(95, 99), precision="s")
        (series,) = task.output("out")["series"]
    assert series["tags"] == {"alertID": "cpu!", "host": "a", "level": "CRITICAL"}
    assert series["columns"] == ["time", "aid", "dur", "lvl", "msg", "value"]
    assert series["values"] == [
        ["1970-01-01T00:00:10Z", "cpu!", 10 * S, "CRITICAL", "cpu! is CRITICAL", 99.0]
    ]


async def test_a_node_without_handlers_still_adds_the_level():
    script = """
    stream
        |from().measurement('cpu')
        |alert().warn(lambda: "value" > 50).crit(lambda: "value" > 90).levelTag('level').levelField('lvl')
        |httpOut('out')
    """
    async with open_task(script) as task:
        await task.write(lines(60, 95, 10), precision="s")
        (series,) = task.output("out")["series"]
    assert series["tags"] == {"host": "a", "level": "OK"}
    assert series["values"] == [["1970-01-01T00:00:20Z", "OK", 10.0]]


async def test_points_without_events_are_not_passed_on():
    script = """
    stream
        |from().measurement('cpu')
        |alert().crit(lambda: "value" > 90)
        |httpOut('out')
    """
    async with open_task(script) as task:
        await task.write(lines(10, 20), precision="s")
        assert task.output("out") == {"series": None}
        await task.write(lines(95, start=30), precision="s")
        assert task.output("out")["series"][0]["values"] == [["1970-01-01T00:00:30Z", 95.0]]


BATCH_SCRIPT = """
stream
    |from().measurement('cpu')
    |window().period(30s).every(30s).align()
    |alert()
        .crit(lambda: "value" > 80)
        {all}
        .levelTag('level')
        .levelField('lvl')
        .details('')
        .log('{log}')
    |httpOut('out')
"""


async def test_batch_alert_takes_the_highest_level_and_the_first_point_at_it(tmp_path):
    log = tmp_path / "a.log"
    async with open_task(BATCH_SCRIPT.format(all="", log=log)) as task:
        await task.write(lines(10, 85, 95, 10, 10, 10, 10), precision="s")
        batch = task.output("out")["series"][0]
    events = read_log(log)
    assert [(e["level"], e["time"]) for e in events] == [
        ("CRITICAL", "1970-01-01T00:00:10Z"),
        ("OK", "1970-01-01T00:01:00Z"),  # OK events take the batch's time
    ]
    # the passed-on batch carries the tag on the batch and the field on every point
    assert batch["tags"] == {"level": "OK"}
    assert batch["columns"] == ["time", "host", "lvl", "value"]
    assert [row[2] for row in batch["values"]] == ["OK", "OK", "OK"]


async def test_batch_alert_with_all_needs_every_point(tmp_path):
    log = tmp_path / "a.log"
    async with open_task(BATCH_SCRIPT.format(all=".all()", log=log)) as task:
        await task.write(lines(85, 95, 10, 90, 91, 99, 10), precision="s")
    events = read_log(log)
    assert [(e["level"], e["time"]) for e in events] == [("CRITICAL", "1970-01-01T00:01:00Z")]


async def test_batches_are_leveled_per_batch_even_by_a_lambda_that_reads_nothing(tmp_path):
    # such a lambda evaluates on anything, batches included: the chunk leveler
    # must still leave batches to the batch rule
    log = tmp_path / "a.log"
    script = BATCH_SCRIPT.format(all="", log=log).replace('"value" > 80', "TRUE")
    async with open_task(script) as task:
        await task.write(lines(10, 85, 95, 10, 10, 10, 10), precision="s")
        batch = task.output("out")["series"][0]
    # one event per window, timed by its first point
    assert [(e["level"], e["time"]) for e in read_log(log)] == [
        ("CRITICAL", "1970-01-01T00:00:00Z"),
        ("CRITICAL", "1970-01-01T00:00:30Z"),
    ]
    assert batch["tags"] == {"level": "CRITICAL"}


async def test_no_recoveries_still_restarts_the_duration(tmp_path):
    log = tmp_path / "a.log"
    script = f"""
    stream
        |from().measurement('cpu')
        |alert()
            .crit(lambda: "value" > 90)
            .noRecoveries()
            .details('')
            .log('{log}')
    """
    async with open_task(script) as task:
        await task.write(lines(95, 95, 10, 95), precision="s")
    assert [(e["level"], e["duration"], e["recoverable"]) for e in read_log(log)] == [
        ("CRITICAL", 0, False),
        ("CRITICAL", 10 * S, False),
        ("CRITICAL", 0, False),
    ]


async def test_events_are_published_to_topics():
    topics = Topics()
    script = """
    stream
        |from().measurement('cpu')
        |alert()
            .crit(lambda: "value" > 90)
            .topic('cpu')
            .tcp('127.0.0.1:9')
    """
    async with open_task(script, services={"alerts": topics}, task_id="cpu_alert") as task:
        await task.write(lines(95, 10), precision="s")
        name = alert_node(task).name
    published = [(topic, str(event.level), event.topic) for topic, event in topics.published]
    anon = f"main:cpu_alert:{name}"
    assert published == [
        (anon, "CRITICAL", anon),
        ("cpu", "CRITICAL", "cpu"),
        (anon, "OK", anon),
        ("cpu", "OK", "cpu"),
    ]


async def test_alert_state_resumes_from_the_topic_store(plugins, tmp_path):
    """After a restart, a group starts at the level its topic remembers, so the
    first OK point is a recovery of the alert that was raised before."""
    log = tmp_path / "a.log"
    script = f"""
    stream
        |from().measurement('cpu')
        |alert().crit(lambda: "value" > 90).details('').log('{log}')
    """
    store = Store.open(tmp_path / "leyden.db")
    try:
        async with trio.open_nursery() as nursery:
            alerts = await nursery.start(AlertService(plugins, store, dict).run)
            # what the task's anonymous topic held before the restart: CRITICAL since 5s
            raised = AlertEvent(
                id="cpu:nil",
                message="",
                details="",
                time=20 * S,
                duration=15 * S,
                level=Level.CRITICAL,
                data={},
            )
            alerts.publish("main:test:alert2", raised)
            async with open_task(script, services={"alerts": alerts}) as task:
                assert alert_node(task).name == "alert2"
                await task.write(lines(10, 20, start=30), precision="s")
            nursery.cancel_scope.cancel()
    finally:
        store.close()
    assert [(e["level"], e["previousLevel"], e["duration"]) for e in read_log(log)] == [
        ("OK", "CRITICAL", 25 * S)
    ]


async def test_evaluation_errors_are_counted_and_the_point_is_ok(tmp_path):
    log = tmp_path / "a.log"
    script = f"""
    stream
        |from().measurement('cpu')
        |alert()
            .warn(lambda: "value" > 50)
            .crit(lambda: "missing" > 90)
            .quiet()
            .details('')
            .log('{log}')
    """
    async with open_task(script) as task:
        await task.write(lines(60, 10), precision="s")
        node = alert_node(task)
        assert node.stats.errors == 2
        assert node.statistics() == {
            "alerts_triggered": 2,
            "oks_triggered": 1,
            "infos_triggered": 0,
            "warns_triggered": 1,
            "crits_triggered": 0,
            "events_dropped": 0,
        }
    assert [e["level"] for e in read_log(log)] == ["WARNING", "OK"]


async def test_inhibited_alerts_reach_no_handler(tmp_path):
    log = tmp_path / "cpu.log"
    host_script = """
    stream
        |from().measurement('up').groupBy('host')
        |alert()
            .crit(lambda: "value" == 0)
            .inhibit('system', 'host')
    """
    cpu_script = f"""
    stream
        |from().measurement('cpu').groupBy('host')
        |alert()
            .category('system')
            .crit(lambda: "value" > 90)
            .details('')
            .log('{log}')
        |httpOut('out')
    """
    async with trio.open_nursery() as nursery:
        kernel: Kernel = await nursery.start(Kernel().run)
        await kernel.define("host", host_script, [("db", "rp")])
        await kernel.define("cpu", cpu_script, [("db", "rp")])

        async def write(text: str) -> None:
            await kernel.write_lines(text, "db", "rp", "s")
            await trio.testing.wait_all_tasks_blocked()

        await write("up,host=a value=0 0\nup,host=b value=1 0\n")
        await write("cpu,host=a value=95 1\ncpu,host=b value=95 1\n")
        await write("up,host=a value=1 2\n")
        await write("cpu,host=a value=96 3\n")
        # inhibited events still change state and are passed on
        assert kernel.output("cpu", "out")["series"][0]["values"][-1] == ["1970-01-01T00:00:03Z", 96.0]
        await kernel.stop("host")
        await kernel.stop("cpu")
        nursery.cancel_scope.cancel()
    events = [(e["id"], e["time"][-3:]) for e in read_log(log)]
    assert events == [("cpu:host=b", "01Z"), ("cpu:host=a", "03Z")]


@pytest.mark.parametrize(
    ("prop", "message"),
    [
        (".message('{{ .Feilds }}')", "line 4 char 10: alert2: template: message: can't evaluate field"),
        (".id('{{ .Fields }}')", "can't evaluate field Fields"),
        (".details('{{ nope }}')", 'function "nope" not defined'),
        (".message('{{ if }}')", "missing value for if"),
        (".flapping(0.5, 2.0)", "line 4 char 10: alert2: alert flap thresholds are percentages"),
        (".stateChangesOnly(1m, 2m)", "line 4 char 10: alert2: stateChangesOnly takes at most one duration"),
        (".log('relative/path.log')", "line 5 char 14: log: alert log path must be absolute"),
        (".post()", "url must be given"),
    ],
)
async def test_bad_properties_fail_when_the_task_is_defined(prop, message):
    script = f"""
    stream
        |from().measurement('cpu')
        |alert().crit(lambda: "value" > 90)
            {prop}
    """
    assert message in await define_error(script)


async def define_error(script: str) -> str:
    """Why ``script`` is rejected when defined ("" if it is not)."""
    async with trio.open_nursery() as nursery:
        kernel: Kernel = await nursery.start(Kernel().run)
        try:
            await kernel.define("t", script, [("db", "rp")])
        except LeydenError as err:
            return str(err)
        finally:
            nursery.cancel_scope.cancel()
    return ""


async def test_a_dead_handler_does_not_stall_the_pipeline():
    """The pipeline keeps its pace while a .post() receiver never answers: the node's
    events for it pile up in its bounded queue, and the rest are dropped and counted."""
    async with trio.open_nursery() as nursery:
        dead = await start_http(nursery, HTTPReceiver(hold=trio.Event()))
        config = {"httppost": [{"endpoint": "dead", "url": dead.url, "queue-size": 10}]}
        script = """
        stream
            |from().measurement('cpu')
            |alert().crit(lambda: "value" > 0).details('').post().endpoint('dead')
            |httpOut('out')
        """
        points = 3000
        async with open_task(script, services={"config": config}) as task:
            with trio.fail_after(20):
                for start in range(0, points, 500):
                    await task.write(lines(*([95] * 500), start=start, step=1), precision="s")
            node = alert_node(task)
            assert node.stats.emitted == points
            assert task.output("out")["series"][0]["values"][0][0] == "1970-01-01T00:49:59Z"
            (queue,) = node.queues
            # one event in the handler's hands, ten waiting, the rest dropped (and,
            # once the queue was full, not even built)
            assert queue.queued == 10
            assert node.statistics()["events_dropped"] == points - 11
            assert len(await dead.wait_for(1)) == 1
        nursery.cancel_scope.cancel()


async def test_a_dead_handler_leaves_the_topic_its_latest_state(plugins, tmp_path, autojump_clock):
    """With the alert service, events keep reaching the anonymous topic while the
    node's own handler is dead: each alert's latest as its state (within a tenth of
    a second) when no topic handler wants them all, every one when one does."""
    log = tmp_path / "topic.log"
    store = Store.open(tmp_path / "leyden.db")
    try:
        async with trio.open_nursery() as nursery:
            dead = await start_http(nursery, HTTPReceiver(hold=trio.Event()))
            config = {"httppost": [{"endpoint": "dead", "url": dead.url, "queue-size": 5}]}
            alerts = await nursery.start(AlertService(plugins, store, lambda: config).run)
            script = """
            stream
                |from().measurement('cpu').groupBy('host')
                |alert().crit(lambda: "value" > 50).details('').post().endpoint('dead')
            """
            services = {"alerts": alerts, "config": config}
            async with open_task(script, plugins=plugins, services=services) as task:
                node = alert_node(task)
                # 398 state changes over two hosts (their first points are OK), in
                # chunks of 100 points
                for start in range(0, 400, 100):
                    body = "".join(
                        f"cpu,host={'ab'[i % 2]} value={(i // 2) % 2 * 100} {start + i}\n" for i in range(100)
                    )
                    await task.write(body, precision="s")
                await trio.sleep(2 * RECORD_INTERVAL)
                topic = alerts.topics["main:test:alert2"]
                assert topic.collected == 398
                assert {k: (e.level, e.time) for k, e in topic.events.items()} == {
                    "cpu:host=a": (Level.CRITICAL, 398 * S),
                    "cpu:host=b": (Level.CRITICAL, 399 * S),
                }
                # one event with the handler, five queued, one dropped by the queue,
                # the rest not even offered
                assert node.statistics()["events_dropped"] == 398 - 6
                alerts.create_handler(HandlerSpec("main:test:alert2", "all", "log", {"path": str(log)}))
                body = "".join(f"cpu,host=a value={i % 2 * 100} {400 + i}\n" for i in range(10))
                await task.write(body, precision="s")
                await until(lambda: len(read_log(log)) == 10)
                assert topic.collected == 408
            nursery.cancel_scope.cancel()
    finally:
        store.close()


async def test_every_handler_gets_every_event(tmp_path):
    """One alert, four handlers, real receivers: each gets Kapacitor's alert JSON."""
    log = tmp_path / "a.log"
    out = tmp_path / "exec.out"
    prog = tmp_path / "record.py"
    prog.write_text(f"#!{sys.executable}\nimport sys\nopen(sys.argv[1], 'a').write(sys.stdin.read())\n")
    prog.chmod(0o755)
    async with trio.open_nursery() as nursery:
        http = await start_http(nursery)
        tcp = await start_tcp(nursery)
        script = f"""
        stream
            |from().measurement('cpu')
            |alert()
                .crit(lambda: "value" > 90)
                .details('')
                .log('{log}')
                .post('{http.url}/hook')
                .tcp('127.0.0.1:{tcp.port}')
                .exec('{prog}', '{out}')
        """
        config = {"exec": {"allowed": [str(prog)]}}
        async with open_task(script, services={"config": config}) as task:
            await task.write(lines(95, 10), precision="s")
            await until(lambda: len(tcp.connections) == len(http.requests) == len(read_lines(out)) == 2)
        nursery.cancel_scope.cancel()
    logged = log.read_text().splitlines()
    assert [json.loads(line)["level"] for line in logged] == ["CRITICAL", "OK"]
    assert [r.body.decode() for r in http.requests] == [line + "\n" for line in logged]
    assert [c.decode() for c in tcp.connections] == [line + "\n\n" for line in logged]
    assert out.read_text().splitlines() == logged
