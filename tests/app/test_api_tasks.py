"""Tasks through the HTTP API, against a real server running real TICKscript."""

import trio.testing

COUNT_SCRIPT = """stream
  |from().measurement('cpu')
  |window().period(10s).every(10s)
  |count('value')
  |httpOut('c')
"""
FORMATTED_COUNT_SCRIPT = (
    "stream\n    |from()\n        .measurement('cpu')\n    |window()\n        .period(10s)\n"
    "        .every(10s)\n    |count('value')\n    |httpOut('c')\n"
)
DBRPS = [{"db": "db", "rp": "rp"}]
TASKS = "/kapacitor/v1/tasks"


async def create(client, task_id="cli1", script=COUNT_SCRIPT, status="disabled", **extra):
    body = {"id": task_id, "type": "stream", "dbrps": DBRPS, "script": script, "status": status, **extra}
    r = await client.post(TASKS, json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def write(client, lines, db="db", rp="rp"):
    r = await client.post("/kapacitor/v1/write", params={"db": db, "rp": rp, "precision": "s"}, content=lines)
    assert r.status_code == 204, r.text
    await trio.testing.wait_all_tasks_blocked()


async def test_create_answers_kapacitors_document(client):
    task = await create(client)
    assert task["created"] == task["modified"] and task["created"].endswith("Z")
    del task["created"], task["modified"]
    assert task == {
        "link": {"rel": "self", "href": "/kapacitor/v1/tasks/cli1"},
        "id": "cli1",
        "template-id": "",
        "type": "stream",
        "dbrps": DBRPS,
        "script": FORMATTED_COUNT_SCRIPT,
        "vars": {},
        "dot": "digraph cli1 {\nstream0 -> from1;\nfrom1 -> window2;\n"
        "window2 -> count3;\ncount3 -> http_out4;\n}",
        "status": "disabled",
        "executing": False,
        "error": "",
        "stats": {},
        "last-enabled": "0001-01-01T00:00:00Z",
    }


async def test_enable_runs_the_task_with_live_counters(client):
    await create(client)
    r = await client.patch(f"{TASKS}/cli1", json={"status": "enabled"})
    assert r.status_code == 200
    task = r.json()
    assert (task["status"], task["executing"]) == ("enabled", True)
    assert task["last-enabled"] == task["modified"] != "0001-01-01T00:00:00Z"
    assert task["dot"] == (
        'digraph cli1 {\ngraph [throughput="0.00 points/s"];\n\n'
        'stream0 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];\n'
        'stream0 -> from1 [processed="0"];\n\n'
        'from1 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];\n'
        'from1 -> window2 [processed="0"];\n\n'
        'window2 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];\n'
        'window2 -> count3 [processed="0"];\n\n'
        'count3 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];\n'
        'count3 -> http_out4 [processed="0"];\n\n'
        'http_out4 [avg_exec_time_ns="0s" errors="0" working_cardinality="0" ];\n}'
    )
    zero = {"avg_exec_time_ns": 0, "collected": 0, "emitted": 0, "errors": 0, "working_cardinality": 0}
    assert task["stats"] == {
        "task-stats": {"throughput": 0},
        "node-stats": {n: zero for n in ("count3", "from1", "http_out4", "stream0", "window2")},
    }

    await write(client, b"cpu value=1 0\ncpu value=2 5\ncpu value=3 10\nmem value=1 10\n")
    r = await client.get(f"{TASKS}/cli1/c")
    assert r.json() == {
        "series": [{"name": "cpu", "columns": ["time", "count"], "values": [["1970-01-01T00:00:10Z", 2]]}]
    }
    task = (await client.get(f"{TASKS}/cli1")).json()
    nodes = task["stats"]["node-stats"]
    assert (nodes["stream0"]["collected"], nodes["stream0"]["emitted"]) == (4, 4)
    assert (nodes["from1"]["collected"], nodes["from1"]["emitted"]) == (4, 3)
    assert nodes["window2"]["emitted"] == 1 and nodes["window2"]["working_cardinality"] == 1
    assert 'stream0 -> from1 [processed="4"];' in task["dot"]
    assert 'from1 -> window2 [processed="3"];' in task["dot"]

    labels = (await client.get(f"{TASKS}/cli1", params={"dot-view": "labels"})).json()["dot"]
    assert labels.startswith('digraph cli1 {\ngraph [label="Throughput: 0.00 points/s"];\n')
    assert 'from1 -> window2 [label="processed=3"];' in labels
    assert "\nwindow2 [xlabel=" in labels and "\\rworking_cardinality=1" in labels


async def test_disable_stops_the_task(client):
    await create(client, status="enabled")
    r = await client.patch(f"{TASKS}/cli1", json={"status": "disabled"})
    task = r.json()
    assert (task["status"], task["executing"], task["stats"]) == ("disabled", False, {})
    assert task["last-enabled"] != "0001-01-01T00:00:00Z"
    assert task["dot"].startswith("digraph cli1 {\nstream0 -> from1;")
    assert (await client.get(f"{TASKS}/cli1/c")).status_code == 404


async def test_raw_and_formatted_scripts(client):
    await create(client)
    assert (await client.get(f"{TASKS}/cli1")).json()["script"] == FORMATTED_COUNT_SCRIPT
    raw = await client.get(f"{TASKS}/cli1", params={"script-format": "raw"})
    assert raw.json()["script"] == COUNT_SCRIPT
    listed = await client.get(TASKS, params={"fields": "script", "script-format": "raw"})
    assert listed.json()["tasks"][0]["script"] == COUNT_SCRIPT


async def test_list_with_pattern_fields_offset_and_limit(client):
    for task_id in ("b_alert", "a_alert", "other"):
        await create(client, task_id)
    r = await client.get(TASKS, params={"pattern": "*_alert", "fields": "link"})
    assert r.json() == {
        "tasks": [
            {"id": "a_alert", "link": {"rel": "self", "href": "/kapacitor/v1/tasks/a_alert"}},
            {"id": "b_alert", "link": {"rel": "self", "href": "/kapacitor/v1/tasks/b_alert"}},
        ]
    }
    r = await client.get(
        TASKS, params=[("fields", "status"), ("fields", "executing"), ("offset", "1"), ("limit", "1")]
    )
    assert [sorted(t) for t in r.json()["tasks"]] == [["executing", "id", "link", "status"]]
    assert r.json()["tasks"][0]["id"] == "b_alert"
    everything = (await client.get(TASKS)).json()["tasks"]
    assert [t["id"] for t in everything] == ["a_alert", "b_alert", "other"]
    assert list(everything[0]) == sorted(everything[0])
    assert set(everything[0]) == {
        "link", "id", "template-id", "type", "dbrps", "script", "vars", "dot", "status",
        "executing", "error", "stats", "created", "modified", "last-enabled",
    }  # fmt: skip


async def test_invalid_scripts_are_refused_with_line_and_column(client):
    r = await client.post(
        TASKS, json={"id": "bad", "type": "stream", "dbrps": DBRPS, "script": "stream\n  |nosuch()"}
    )
    assert r.status_code == 400
    assert r.json()["error"].startswith("invalid TICKscript: line 2 char ")
    assert (await client.get(f"{TASKS}/bad")).status_code == 404


async def test_duplicate_ids_and_dbrp_rules(client):
    await create(client)
    r = await client.post(
        TASKS, json={"id": "cli1", "type": "stream", "dbrps": DBRPS, "script": COUNT_SCRIPT}
    )
    assert (r.status_code, r.json()) == (400, {"error": "task cli1 already exists"})
    r = await client.post(TASKS, json={"id": "x", "type": "stream", "script": COUNT_SCRIPT})
    assert r.status_code == 400 and "dbrp" in r.json()["error"]
    scripted = 'dbrp "db"."rp"\n' + COUNT_SCRIPT
    r = await client.post(TASKS, json={"id": "x", "type": "stream", "script": scripted, "dbrps": DBRPS})
    assert r.status_code == 400 and "dbrp" in r.json()["error"]
    task = await create(client, "from_script", scripted, dbrps=None)
    assert task["dbrps"] == DBRPS


async def test_an_id_is_made_up_when_none_is_given(client):
    r = await client.post(TASKS, json={"type": "stream", "dbrps": DBRPS, "script": COUNT_SCRIPT})
    task_id = r.json()["id"]
    assert len(task_id) == 36
    assert (await client.get(f"{TASKS}/{task_id}")).status_code == 200


async def test_updating_an_enabled_tasks_script_restarts_it(client):
    await create(client, status="enabled")
    await write(client, b"cpu value=1 0\n")
    new_script = COUNT_SCRIPT.replace("count('value')", "sum('value')")
    r = await client.patch(f"{TASKS}/cli1", json={"script": new_script})
    task = r.json()
    assert task["executing"] and "sum3" in task["dot"]
    assert task["stats"]["node-stats"]["stream0"]["collected"] == 0  # a fresh run
    await write(client, b"cpu value=5 20\ncpu value=6 25\ncpu value=1 30\n")
    out = (await client.get(f"{TASKS}/cli1/c")).json()
    assert out["series"][0]["values"] == [["1970-01-01T00:00:30Z", 11]]


async def test_update_checks_before_it_changes_anything(client):
    await create(client, status="enabled")
    r = await client.patch(f"{TASKS}/cli1", json={"script": "stream|nosuch()"})
    assert r.status_code == 400
    task = (await client.get(f"{TASKS}/cli1", params={"script-format": "raw"})).json()
    assert task["script"] == COUNT_SCRIPT and task["executing"]
    r = await client.patch(f"{TASKS}/cli1", json={"dbrps": [{"db": "other", "rp": "autogen"}]})
    assert r.json()["dbrps"] == [{"db": "other", "rp": "autogen"}]
    await write(client, b"cpu value=1 0\ncpu value=1 10\n", db="other", rp="autogen")
    assert (await client.get(f"{TASKS}/cli1/c")).json()["series"][0]["values"][0][1] == 1


async def test_delete_stops_and_forgets(client):
    await create(client, status="enabled")
    assert (await client.delete(f"{TASKS}/cli1")).status_code == 204
    assert (await client.get(f"{TASKS}/cli1")).status_code == 404
    assert (await client.get(f"{TASKS}/cli1/c")).status_code == 404
    assert (await client.get(TASKS)).json() == {"tasks": []}


async def test_a_task_failing_at_runtime_stays_enabled_with_its_error(client):
    script = """stream
    |from().measurement('req')
    |combine(lambda: TRUE, lambda: TRUE).as('x', 'y').max(1)
    |httpOut('out')
"""
    await create(client, "combo", script, status="enabled")
    await write(client, b"req n=1 0\nreq n=2 0\nreq n=3 0\nreq n=4 1\n")
    task = (await client.get(f"{TASKS}/combo")).json()
    assert (task["status"], task["executing"]) == ("enabled", False)
    assert "max combinations" in task["error"]
    assert task["stats"] == {}
    assert (await client.get(f"{TASKS}/combo/out")).status_code == 404
    listed = (await client.get(TASKS, params={"fields": "error"})).json()["tasks"][0]
    assert "max combinations" in listed["error"]
    r = await client.patch(f"{TASKS}/combo", json={"status": "disabled"})
    assert (r.json()["error"], r.json()["executing"]) == ("", False)


async def test_debug_vars_count_tasks_nodes_and_edges(client):
    await create(client, status="enabled")
    await create(client, "idle")
    await write(client, b"cpu value=1 0\n")
    body = (await client.get("/kapacitor/v1/debug/vars")).json()
    assert (body["num_tasks"], body["num_enabled_tasks"]) == (2, 1)
    stats = list(body["kapacitor"].values())
    nodes = {s["tags"]["node"]: s for s in stats if s["name"] == "nodes"}
    assert set(nodes) == {"stream0", "from1", "window2", "count3", "http_out4"}
    assert nodes["window2"]["tags"]["kind"] == "window" and nodes["window2"]["tags"]["task"] == "cli1"
    window = nodes["window2"]["values"]
    assert (window["errors"], window["working_cardinality"]) == (0, 1)
    assert window["avg_exec_time_ns"].endswith("s")  # a Go duration, as Kapacitor shows it
    edges = {(s["tags"]["parent"], s["tags"]["child"]): s["values"] for s in stats if s["name"] == "edges"}
    assert edges[("stream0", "from1")] == {"collected": 1, "emitted": 1}
    assert len(edges) == 4


async def test_alert_nodes_show_their_own_counters(client):
    script = "stream\n    |from().measurement('cpu')\n    |alert().crit(lambda: \"value\" > 90)\n"
    await create(client, "al", script, status="enabled")
    await write(client, b"cpu value=95 1\ncpu value=10 2\ncpu value=99 3\n")
    task = (await client.get(f"{TASKS}/al")).json()
    counters = task["stats"]["node-stats"]["alert2"]
    assert (counters["alerts_triggered"], counters["crits_triggered"], counters["oks_triggered"]) == (3, 2, 1)
    assert list(counters) == sorted(counters)
    assert (
        'alert2 [alerts_triggered="3" avg_exec_time_ns="' in task["dot"]
        and '" crits_triggered="2" errors="0" events_dropped="0" infos_triggered="0" oks_triggered="1"'
        in task["dot"]
    )


async def test_an_unknown_status_is_refused(client):
    r = await client.post(TASKS, json={"id": "x", "dbrps": DBRPS, "script": COUNT_SCRIPT, "status": "on"})
    assert (r.status_code, r.json()) == (400, {"error": 'invalid status "on": want "enabled" or "disabled"'})
    assert (await client.get(f"{TASKS}/x")).status_code == 404
    await create(client, status="enabled")
    r = await client.patch(f"{TASKS}/cli1", json={"status": True})
    assert (r.status_code, r.json()) == (400, {"error": "status must be a string"})
    assert (await client.get(f"{TASKS}/cli1")).json()["executing"] is True
