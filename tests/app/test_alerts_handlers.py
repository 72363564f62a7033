"""Topic handlers at work in a running server: real receivers, match expressions, and
what survives a restart (handlers, events and the alert state of running tasks)."""

import json

import httpx
import trio
import trio.testing
from receivers import start_http

TOPICS = "/kapacitor/v1/alerts/topics"
DBRPS = [{"db": "db", "rp": "rp"}]
SCRIPT = """stream
  |from().measurement('cpu').groupBy('host')
  |alert()
    .warn(lambda: "value" > 70)
    .crit(lambda: "value" > 90)
    .message('{{ .ID }} is {{ .Level }}')
    .details('')
    .topic('cpu')
"""


async def define_task(client, script=SCRIPT, task_id="cpu_alert") -> None:
    body = {"id": task_id, "type": "stream", "dbrps": DBRPS, "script": script, "status": "enabled"}
    r = await client.post("/kapacitor/v1/tasks", json=body)
    assert r.status_code == 200, r.text


async def define_handler(client, topic: str, body: dict) -> None:
    r = await client.post(f"{TOPICS}/{topic}/handlers", json=body)
    assert r.status_code == 200, r.text


async def write(client, lines: str) -> None:
    params = {"db": "db", "rp": "rp", "precision": "s"}
    r = await client.post("/kapacitor/v1/write", params=params, content=lines.encode())
    assert r.status_code == 204, r.text
    await trio.testing.wait_all_tasks_blocked()


def read_log(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_a_post_handler_delivers_the_topics_events_to_a_receiver(client):
    async with trio.open_nursery() as nursery:
        receiver = await start_http(nursery)
        await define_handler(client, "cpu", {"id": "hook", "kind": "post", "options": {"url": receiver.url}})
        await define_task(client)
        await write(client, "cpu,host=a value=95 10\ncpu,host=a value=20 20\n")
        await receiver.wait_for(2)
        nursery.cancel_scope.cancel()
    bodies = receiver.bodies()
    assert [(b["id"], b["level"], b["previousLevel"], b["message"]) for b in bodies] == [
        ("cpu:host=a", "CRITICAL", "OK", "cpu:host=a is CRITICAL"),
        ("cpu:host=a", "OK", "CRITICAL", "cpu:host=a is OK"),
    ]
    assert bodies[0]["data"]["series"][0]["values"] == [["1970-01-01T00:00:10Z", 95]]


async def test_match_expressions_choose_the_events_a_log_handler_writes(client, tmp_path):
    logs = {name: tmp_path / f"{name}.log" for name in ("all", "changes", "serious_a")}
    matches = {
        "all": "",
        "changes": "changed() == TRUE",
        "serious_a": "level() >= WARNING AND \"host\" == 'a'",
    }
    for name, match in matches.items():
        body = {"id": name, "kind": "log", "options": {"path": str(logs[name])}, "match": match}
        await define_handler(client, "cpu", body)
    await define_task(client)
    await write(
        client,
        "cpu,host=a value=95 1\ncpu,host=a value=96 2\ncpu,host=b value=80 3\n"
        "cpu,host=a value=75 4\ncpu,host=b value=10 5\ncpu,host=a value=1 6\n",
    )

    def seen(name):
        return [(e["id"][-1], e["level"]) for e in read_log(logs[name])]

    assert seen("all") == [
        ("a", "CRITICAL"),
        ("a", "CRITICAL"),
        ("b", "WARNING"),
        ("a", "WARNING"),
        ("b", "OK"),
        ("a", "OK"),
    ]
    assert seen("changes") == [
        ("a", "CRITICAL"),
        ("b", "WARNING"),
        ("a", "WARNING"),
        ("b", "OK"),
        ("a", "OK"),
    ]
    assert seen("serious_a") == [("a", "CRITICAL"), ("a", "CRITICAL"), ("a", "WARNING")]


async def test_handlers_events_and_alert_state_survive_a_restart(make_config, start_server, tmp_path):
    config = make_config()
    log = tmp_path / "cpu.log"
    script = SCRIPT.replace(".details('')", ".details('').stateChangesOnly()")
    async with start_server(config) as server, httpx.AsyncClient(base_url=server.url) as client:
        body = {"id": "to_log", "kind": "log", "options": {"path": str(log)}, "match": "level() > OK"}
        await define_handler(client, "cpu", body)
        await define_task(client, script)
        await write(client, "cpu,host=a value=95 10\ncpu,host=b value=75 20\ncpu,host=b value=5 30\n")
        before = (await client.get(f"{TOPICS}/cpu/events")).json()
    assert [e["level"] for e in read_log(log)] == ["CRITICAL", "WARNING"]

    async with start_server(config) as server, httpx.AsyncClient(base_url=server.url) as client:
        assert (await client.get(f"{TOPICS}/cpu/events")).json() == before
        handler = (await client.get(f"{TOPICS}/cpu/handlers/to_log")).json()
        assert (handler["kind"], handler["match"]) == ("log", "level() > OK")
        # host a is still CRITICAL: no new alert for it, only its recovery later
        await write(client, "cpu,host=a value=97 40\ncpu,host=a value=99 50\n")
        assert (await client.get(f"{TOPICS}/cpu")).json()["collected"] == 0
        await write(client, "cpu,host=a value=50 60\ncpu,host=b value=92 70\n")
        events = (await client.get(f"{TOPICS}/cpu/events")).json()["events"]
        assert [(e["id"], e["state"]["level"], e["state"]["duration"]) for e in events] == [
            ("cpu:host=b", "CRITICAL", "0s"),
            ("cpu:host=a", "OK", "50s"),
        ]
    # the handler came back too: host b's new alert reached it, host a's recovery did not match
    assert [e["level"] for e in read_log(log)] == ["CRITICAL", "WARNING", "CRITICAL"]


async def test_a_task_with_its_own_handlers_publishes_to_its_anonymous_topic(client, tmp_path):
    own, other = tmp_path / "own.log", tmp_path / "other.log"
    script = SCRIPT.replace(".topic('cpu')", f".log('{own}')")
    await define_handler(
        client, "main:anon:alert2", {"id": "more", "kind": "log", "options": {"path": str(other)}}
    )
    await define_task(client, script, task_id="anon")
    await write(client, "cpu,host=a value=95 10\n")
    topics = (await client.get(TOPICS)).json()["topics"]
    assert [(t["id"], t["level"], t["collected"]) for t in topics] == [("main:anon:alert2", "CRITICAL", 1)]
    # the script's own handler is not a topic handler
    handlers = (await client.get(f"{TOPICS}/main:anon:alert2/handlers")).json()["handlers"]
    assert [h["id"] for h in handlers] == ["more"]
    assert [e["id"] for e in read_log(own)] == [e["id"] for e in read_log(other)] == ["cpu:host=a"]


async def test_deleting_a_task_drops_its_anonymous_topics_and_their_stored_events(
    make_config, start_server, tmp_path
):
    config = make_config()

    def with_own_handler(task_id: str) -> str:
        return SCRIPT.replace(".topic('cpu')", f".topic('cpu')\n    .log('{tmp_path / task_id}.log')")

    async def topic_ids(client) -> list[str]:
        return [t["id"] for t in (await client.get(TOPICS)).json()["topics"]]

    async with start_server(config) as server, httpx.AsyncClient(base_url=server.url) as client:
        await define_task(client, with_own_handler("anon"), task_id="anon")
        await define_task(client, with_own_handler("anon2"), task_id="anon2")
        await write(client, "cpu,host=a value=95 10\n")
        assert await topic_ids(client) == ["cpu", "main:anon2:alert2", "main:anon:alert2"]
        server.services.alerts.flush()  # the events are in the store now, not only in memory
        assert (await client.delete("/kapacitor/v1/tasks/anon")).status_code == 204
        # the named topic and the other task's anonymous topic stay
        assert await topic_ids(client) == ["cpu", "main:anon2:alert2"]
        assert (await client.get(f"{TOPICS}/main:anon:alert2")).status_code == 404

    async with start_server(config) as server, httpx.AsyncClient(base_url=server.url) as client:
        assert await topic_ids(client) == ["cpu", "main:anon2:alert2"]
