"""Alert topics, their events and topic handler definitions through the HTTP API."""

import trio.testing

TOPICS = "/kapacitor/v1/alerts/topics"
DBRPS = [{"db": "db", "rp": "rp"}]


def alert_script(topic: str, measurement: str = "cpu") -> str:
    return f"""stream
  |from().measurement('{measurement}').groupBy('host')
  |alert()
    .info(lambda: "value" > 50)
    .warn(lambda: "value" > 70)
    .crit(lambda: "value" > 90)
    .message('{{{{ .ID }}}} is {{{{ .Level }}}}')
    .details('')
    .topic('{topic}')
"""


async def define_task(client, task_id: str, script: str) -> None:
    body = {"id": task_id, "type": "stream", "dbrps": DBRPS, "script": script, "status": "enabled"}
    r = await client.post("/kapacitor/v1/tasks", json=body)
    assert r.status_code == 200, r.text


async def write(client, lines: str) -> None:
    r = await client.post(
        "/kapacitor/v1/write", params={"db": "db", "rp": "rp", "precision": "s"}, content=lines.encode()
    )
    assert r.status_code == 204, r.text
    await trio.testing.wait_all_tasks_blocked()


async def test_a_topic_keeps_the_latest_event_of_each_alert(client):
    await define_task(client, "cpu_alert", alert_script("cpu"))
    await write(
        client, "cpu,host=a value=95 1\ncpu,host=b value=75 2\ncpu,host=c value=1 3\ncpu,host=b value=99 4\n"
    )

    topics = (await client.get(TOPICS)).json()
    assert topics == {
        "link": {"rel": "self", "href": TOPICS},
        "topics": [
            {
                "link": {"rel": "self", "href": f"{TOPICS}/cpu"},
                "id": "cpu",
                "level": "CRITICAL",
                "collected": 3,
                "events-link": {"rel": "events", "href": f"{TOPICS}/cpu/events"},
                "handlers-link": {"rel": "handlers", "href": f"{TOPICS}/cpu/handlers"},
            }
        ],
    }
    assert (await client.get(f"{TOPICS}/cpu")).json() == topics["topics"][0]

    events = (await client.get(f"{TOPICS}/cpu/events")).json()
    assert (events["link"], events["topic"]) == ({"rel": "self", "href": f"{TOPICS}/cpu/events"}, "cpu")
    # host c never left OK: no event; host b's latest event replaced its first
    assert [(e["id"], e["state"]["level"], e["state"]["time"]) for e in events["events"]] == [
        ("cpu:host=a", "CRITICAL", "1970-01-01T00:00:01Z"),
        ("cpu:host=b", "CRITICAL", "1970-01-01T00:00:04Z"),
    ]
    b = (await client.get(f"{TOPICS}/cpu/events/cpu:host=b")).json()
    assert b == {
        "link": {"rel": "self", "href": f"{TOPICS}/cpu/events/cpu:host=b"},
        "id": "cpu:host=b",
        "state": {
            "message": "cpu:host=b is CRITICAL",
            "details": "",
            "time": "1970-01-01T00:00:04Z",
            "duration": "2s",
            "level": "CRITICAL",
        },
    }


async def test_min_level_and_pattern_filter_topics_and_events(client):
    await define_task(client, "cpu_alert", alert_script("cpu"))
    await define_task(client, "mem_alert", alert_script("mem", "mem"))
    await define_task(client, "disk_alert", alert_script("disk", "disk"))
    await write(
        client,
        "cpu,host=a value=95 1\ncpu,host=b value=55 1\nmem,host=a value=75 1\ndisk,host=a value=60 1\n",
    )

    async def topic_ids(**params):
        r = await client.get(TOPICS, params=params)
        assert r.status_code == 200, r.text
        return [(t["id"], t["level"]) for t in r.json()["topics"]]

    assert await topic_ids() == [("cpu", "CRITICAL"), ("disk", "INFO"), ("mem", "WARNING")]
    assert await topic_ids(**{"min-level": "WARNING"}) == [("cpu", "CRITICAL"), ("mem", "WARNING")]
    assert await topic_ids(**{"min-level": "CRITICAL"}) == [("cpu", "CRITICAL")]
    assert await topic_ids(pattern="*m*") == [("mem", "WARNING")]
    assert await topic_ids(pattern="d*", **{"min-level": "INFO"}) == [("disk", "INFO")]
    listed = (await client.get(TOPICS, params={"min-level": "WARNING"})).json()
    assert listed["link"]["href"] == f"{TOPICS}?min-level=WARNING"

    events = (await client.get(f"{TOPICS}/cpu/events", params={"min-level": "CRITICAL"})).json()["events"]
    assert [e["id"] for e in events] == ["cpu:host=a"]

    r = await client.get(TOPICS, params={"min-level": "SEVERE"})
    assert r.status_code == 400
    assert "SEVERE" in r.json()["error"]


async def test_unknown_topics_and_events_are_404_and_delete_forgets_events(client):
    r = await client.get(f"{TOPICS}/nope")
    assert (r.status_code, r.json()) == (404, {"error": 'unknown topic: "nope"'})
    assert (await client.get(f"{TOPICS}/nope/events")).status_code == 404

    await define_task(client, "cpu_alert", alert_script("cpu"))
    await write(client, "cpu,host=a value=95 1\n")
    r = await client.get(f"{TOPICS}/cpu/events/cpu:host=z")
    assert (r.status_code, r.json()) == (404, {"error": 'unknown event "cpu:host=z" in topic "cpu"'})

    assert (await client.delete(f"{TOPICS}/cpu")).status_code == 204
    assert (await client.get(f"{TOPICS}/cpu")).status_code == 404
    assert (await client.delete(f"{TOPICS}/cpu")).status_code == 204
    # a topic comes back with its next event
    await write(client, "cpu,host=a value=20 2\n")
    events = (await client.get(f"{TOPICS}/cpu/events")).json()["events"]
    assert [(e["id"], e["state"]["level"]) for e in events] == [("cpu:host=a", "OK")]


LOG_HANDLER = {"id": "to_log", "kind": "log", "options": {"path": "/tmp/leyden-test-never-written.log"}}


async def test_handler_definitions_can_be_created_listed_replaced_patched_and_deleted(client):
    base = f"{TOPICS}/cpu/handlers"
    r = await client.post(base, json={**LOG_HANDLER, "match": "level() >= WARNING"})
    assert r.status_code == 200, r.text
    created = r.json()
    assert created == {
        "link": {"rel": "self", "href": f"{base}/to_log"},
        "id": "to_log",
        "kind": "log",
        "options": {"path": "/tmp/leyden-test-never-written.log"},
        "match": "level() >= WARNING",
    }
    assert (await client.get(f"{base}/to_log")).json() == created
    # a handler makes its topic exist
    assert (await client.get(f"{TOPICS}/cpu")).json()["level"] == "OK"

    r = await client.post(
        base, json={"id": "agg", "kind": "aggregate", "options": {"interval": "1m", "topic": "x"}}
    )
    assert r.status_code == 200, r.text
    listed = (await client.get(base)).json()
    assert listed["link"] == {"rel": "self", "href": base}
    assert listed["topic"] == "cpu"
    assert [h["id"] for h in listed["handlers"]] == ["agg", "to_log"]
    assert [h["id"] for h in (await client.get(base, params={"pattern": "to*"})).json()["handlers"]] == [
        "to_log"
    ]

    r = await client.put(
        f"{base}/to_log", json={"id": "to_log2", "kind": "log", "options": {"path": "/tmp/b.log"}}
    )
    assert r.status_code == 200, r.text
    assert r.json()["match"] == ""
    assert (await client.get(f"{base}/to_log")).status_code == 404
    assert (await client.get(f"{base}/to_log2")).json()["options"] == {"path": "/tmp/b.log"}

    patch = [
        {"op": "replace", "path": "/options/path", "value": "/tmp/c.log"},
        {"op": "add", "path": "/match", "value": "changed() AND \"host\" == 'a'"},
    ]
    r = await client.patch(f"{base}/to_log2", json=patch)
    assert r.status_code == 200, r.text
    assert (r.json()["options"], r.json()["match"]) == (
        {"path": "/tmp/c.log"},
        "changed() AND \"host\" == 'a'",
    )
    assert (await client.get(f"{base}/to_log2")).json() == r.json()

    assert (await client.delete(f"{base}/to_log2")).status_code == 204
    assert (await client.delete(f"{base}/to_log2")).status_code == 204
    assert [h["id"] for h in (await client.get(base)).json()["handlers"]] == ["agg"]
    assert (await client.get(f"{TOPICS}/other/handlers")).json()["handlers"] == []


async def test_bad_handler_definitions_are_refused_with_the_reason(client):
    base = f"{TOPICS}/cpu/handlers"

    async def refused(body, status=400):
        r = await client.post(base, json=body)
        assert r.status_code == status, r.text
        return r.json()["error"]

    assert "handler ID must contain only" in await refused({**LOG_HANDLER, "id": "bad id"})
    assert "handler ID must contain only" in await refused({**LOG_HANDLER, "id": ""})
    assert "Kind must not be empty" in await refused({**LOG_HANDLER, "kind": ""})
    assert 'unsupported action kind "slackk"' in (await refused({**LOG_HANDLER, "kind": "slackk"})).replace(
        "'", '"'
    )
    assert "invalid match expression" in await refused({**LOG_HANDLER, "match": "level() >="})
    assert "undefined function" in await refused({**LOG_HANDLER, "match": "levels() > 1"})
    assert "not boolean" in await refused({**LOG_HANDLER, "match": "level() + 1"})
    too_deep = "(" * 2000 + "TRUE" + ")" * 2000
    assert "it nests too deeply" in await refused({**LOG_HANDLER, "match": too_deep})
    assert "must be absolute" in await refused({**LOG_HANDLER, "options": {"path": "relative.log"}})
    assert "unknown option" in await refused({**LOG_HANDLER, "options": {"path": "/tmp/x", "colour": 1}})
    assert "invalid handler json" in await refused({**LOG_HANDLER, "options": ["path"]})
    assert "interval" in await refused({"id": "a", "kind": "aggregate", "options": {"topic": "x"}})
    assert "loop" in await refused({"id": "p", "kind": "publish", "options": {"topics": ["cpu"]}})
    r = await client.post(base, content=b"{not json")
    assert r.status_code == 400

    assert (await client.post(base, json=LOG_HANDLER)).status_code == 200
    assert "already exists" in await refused(LOG_HANDLER)
    r = await client.put(f"{base}/missing", json=LOG_HANDLER)
    assert (r.status_code, r.json()) == (404, {"error": 'unknown handler: "missing"'})
    r = await client.patch(f"{base}/to_log", json=[{"op": "replace", "path": "/nope/x", "value": 1}])
    assert r.status_code == 400
    assert "failed to apply patch" in r.json()["error"]
    r = await client.patch(f"{base}/to_log", json=[{"op": "replace", "path": "/match", "value": "level("}])
    assert r.status_code == 400
    # the refused updates left the handler as it was
    assert (await client.get(f"{base}/to_log")).json()["match"] == ""
