"""What survives a restart: every task and template, with enabled tasks running again."""

import httpx
import trio.testing

SCRIPT = """stream
  |from().measurement('cpu')
  |window().period(10s).every(10s)
  |count('value')
  |httpOut('c')
"""
TEMPLATE = "var m = 'cpu'\nstream\n  |from().measurement(m)\n  |httpOut('last')\n"
DBRPS = [{"db": "db", "rp": "rp"}]


async def define_everything(client):
    for task_id, status in (("on", "enabled"), ("off", "disabled")):
        body = {"id": task_id, "type": "stream", "dbrps": DBRPS, "script": SCRIPT, "status": status}
        assert (await client.post("/kapacitor/v1/tasks", json=body)).status_code == 200
    body = {"id": "tpl", "type": "stream", "script": TEMPLATE}
    assert (await client.post("/kapacitor/v1/templates", json=body)).status_code == 200
    mem = {"m": {"type": "string", "value": "mem"}}
    body = {"id": "from_tpl", "template-id": "tpl", "dbrps": DBRPS, "status": "enabled", "vars": mem}
    assert (await client.post("/kapacitor/v1/tasks", json=body)).status_code == 200


async def test_a_restart_brings_back_tasks_and_runs_the_enabled_ones(make_config, start_server):
    config = make_config()
    async with start_server(config) as server, httpx.AsyncClient(base_url=server.url) as client:
        await define_everything(client)
        before = (await client.get("/kapacitor/v1/tasks")).json()["tasks"]
        cluster_id = (await client.get("/kapacitor/v1/debug/vars")).json()["cluster_id"]

    async with start_server(config) as server, httpx.AsyncClient(base_url=server.url) as client:
        after = (await client.get("/kapacitor/v1/tasks")).json()["tasks"]
        assert [(t["id"], t["status"], t["executing"]) for t in after] == [
            ("from_tpl", "enabled", True),
            ("off", "disabled", False),
            ("on", "enabled", True),
        ]
        for old, new in zip(before, after, strict=True):
            for key in ("created", "modified", "last-enabled", "script", "vars", "template-id", "dbrps"):
                assert old[key] == new[key], key
        assert (await client.get("/kapacitor/v1/templates/tpl")).status_code == 200
        assert (await client.get("/kapacitor/v1/debug/vars")).json()["cluster_id"] == cluster_id

        lines = b"cpu value=1 0\ncpu value=2 5\ncpu value=3 10\nmem used=7 10\n"
        r = await client.post("/write", params={"db": "db", "rp": "rp", "precision": "s"}, content=lines)
        assert r.status_code == 204
        await trio.testing.wait_all_tasks_blocked()
        count = (await client.get("/kapacitor/v1/tasks/on/c")).json()
        assert count["series"][0]["values"] == [["1970-01-01T00:00:10Z", 2]]
        last = (await client.get("/kapacitor/v1/tasks/from_tpl/last")).json()
        assert last["series"][0]["values"] == [["1970-01-01T00:00:10Z", 7]]
        assert (await client.get("/kapacitor/v1/tasks/off/c")).status_code == 404


async def test_start_enabled_false_keeps_tasks_stopped(make_config, start_server):
    config = make_config()
    async with start_server(config) as server, httpx.AsyncClient(base_url=server.url) as client:
        await define_everything(client)
    config.task.start_enabled = False
    async with start_server(config) as server, httpx.AsyncClient(base_url=server.url) as client:
        tasks = (await client.get("/kapacitor/v1/tasks", params={"fields": ["status", "executing"]})).json()
        assert {(t["id"], t["status"], t["executing"]) for t in tasks["tasks"]} == {
            ("from_tpl", "enabled", False),
            ("off", "disabled", False),
            ("on", "enabled", False),
        }
