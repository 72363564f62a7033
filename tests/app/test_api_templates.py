"""Templates and the tasks made from them, through the HTTP API."""

import trio.testing

TEMPLATE = """var m = 'cpu'
var p = 10s
stream
  |from().measurement(m)
  |window().period(p).every(p)
  |mean('value')
  |httpOut('m')
"""
TEMPLATES = "/kapacitor/v1/templates"
TASKS = "/kapacitor/v1/tasks"
DBRPS = [{"db": "db", "rp": "rp"}]
P20S = {"p": {"type": "duration", "value": 20_000_000_000, "description": ""}}


async def define_template(client, script=TEMPLATE, template_id="tpl1"):
    r = await client.post(TEMPLATES, json={"id": template_id, "type": "stream", "script": script})
    assert r.status_code == 200, r.text
    return r.json()


async def task_from_template(client, task_id, vars_=None, status="enabled"):
    body = {"id": task_id, "template-id": "tpl1", "dbrps": DBRPS, "status": status, "vars": vars_ or {}}
    r = await client.post(TASKS, json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def write(client, lines):
    r = await client.post(
        "/kapacitor/v1/write", params={"db": "db", "rp": "rp", "precision": "s"}, content=lines
    )
    assert r.status_code == 204, r.text
    await trio.testing.wait_all_tasks_blocked()


async def test_template_document_shows_declared_vars(client):
    template = await define_template(client)
    assert template["vars"] == {
        "m": {"type": "string", "value": "cpu", "description": ""},
        "p": {"type": "duration", "value": 10_000_000_000, "description": ""},
    }
    assert template["script"].startswith("var m = 'cpu'\n\nvar p = 10s\n\nstream\n    |from()\n")
    assert template["dot"] == (
        "digraph tpl1 {\nstream0 -> from1;\nfrom1 -> window2;\nwindow2 -> mean3;\nmean3 -> http_out4;\n}"
    )
    assert template["error"] == ""
    shown = (await client.get(f"{TEMPLATES}/tpl1")).json()
    assert shown == template
    listed = (await client.get(TEMPLATES, params=[("fields", "type"), ("fields", "vars")])).json()
    assert listed == {
        "templates": [{"id": "tpl1", "link": template["link"], "type": "stream", "vars": template["vars"]}]
    }


async def test_task_from_template_uses_its_own_vars(client):
    await define_template(client)
    task = await task_from_template(client, "cli2", P20S)
    assert (task["template-id"], task["type"], task["vars"]) == ("tpl1", "stream", P20S)
    await write(client, b"cpu value=1 0\ncpu value=3 15\ncpu value=9 20\n")
    out = (await client.get(f"{TASKS}/cli2/m")).json()
    assert out["series"][0]["values"] == [["1970-01-01T00:00:20Z", 2]]  # a 20s window, not 10s


async def test_updating_a_template_updates_and_restarts_its_tasks(client):
    await define_template(client)
    await task_from_template(client, "on")
    await task_from_template(client, "off", status="disabled")
    summed = TEMPLATE.replace("mean('value')", "sum('value')")
    r = await client.patch(f"{TEMPLATES}/tpl1", json={"script": summed})
    assert r.status_code == 200, r.text
    assert "sum3" in r.json()["dot"]
    for task_id in ("on", "off"):
        task = (await client.get(f"{TASKS}/{task_id}", params={"script-format": "raw"})).json()
        assert task["script"] == summed
    assert (await client.get(f"{TASKS}/on")).json()["executing"]
    assert not (await client.get(f"{TASKS}/off")).json()["executing"]
    await write(client, b"cpu value=1 0\ncpu value=3 5\ncpu value=9 10\n")
    assert (await client.get(f"{TASKS}/on/m")).json()["series"][0]["values"] == [["1970-01-01T00:00:10Z", 4]]


async def test_a_template_update_that_breaks_a_task_changes_nothing(client):
    await define_template(client, "var m string\nstream\n  |from().measurement(m)\n  |httpOut('m')\n")
    task = {
        "id": "t",
        "template-id": "tpl1",
        "dbrps": DBRPS,
        "vars": {"m": {"type": "string", "value": "cpu"}},
    }
    r = await client.post(TASKS, json=task)
    assert r.status_code == 200, r.text
    needs_more = "var m string\nvar db string\nstream\n  |from().measurement(m).database(db)\n"
    r = await client.patch(f"{TEMPLATES}/tpl1", json={"script": needs_more})
    assert r.status_code == 400
    assert r.json()["error"].startswith("error updating associated task t: ")
    raw = (await client.get(f"{TEMPLATES}/tpl1", params={"script-format": "raw"})).json()["script"]
    assert raw.startswith("var m string")


async def test_a_template_var_without_a_default_needs_a_value(client):
    template = await define_template(
        client, "var m string\nstream\n  |from().measurement(m)\n  |httpOut('m')\n"
    )
    assert template["vars"]["m"]["type"] == "string"
    r = await client.post(TASKS, json={"id": "t", "template-id": "tpl1", "dbrps": DBRPS})
    assert r.status_code == 400
    assert r.json()["error"].startswith("invalid TICKscript: ")


async def test_deleting_a_template_in_use_leaves_its_tasks_running(client):
    await define_template(client)
    await task_from_template(client, "cli2")
    assert (await client.delete(f"{TEMPLATES}/tpl1")).status_code == 204
    assert (await client.get(f"{TEMPLATES}/tpl1")).status_code == 404
    task = (await client.get(f"{TASKS}/cli2")).json()
    assert (task["template-id"], task["executing"]) == ("tpl1", True)
    await write(client, b"cpu value=2 0\ncpu value=4 10\n")
    assert (await client.get(f"{TASKS}/cli2/m")).json()["series"][0]["values"][0][1] == 2
    r = await client.patch(f"{TASKS}/cli2", json={"status": "disabled"})
    assert (r.status_code, r.json()) == (400, {"error": "unknown template tpl1: err: no template exists"})


async def test_template_errors(client):
    await define_template(client)
    r = await client.post(TEMPLATES, json={"id": "tpl1", "type": "stream", "script": TEMPLATE})
    assert r.json() == {"error": "template tpl1 already exists"}
    r = await client.post(TEMPLATES, json={"id": "t2", "type": "stream", "script": "stream\n  |nosuch()\n"})
    assert r.status_code == 400 and r.json()["error"].startswith("invalid TICKscript: line 2 char ")
    r = await client.patch(f"{TEMPLATES}/nosuch", json={"script": TEMPLATE})
    assert (r.status_code, r.json()) == (404, {"error": "template does not exist, cannot update"})
    r = await client.get(TEMPLATES, params={"fields": "dbrps"})
    assert r.json() == {"error": 'unsupported field "dbrps"'}
