"""Ping, write, debug vars, config and routing errors: what needs no TICKscript."""

import gzip
import json

import httpx


async def test_ping_answers_204_with_the_kapacitor_version(client):
    for method in ("GET", "HEAD"):
        r = await client.request(method, "/kapacitor/v1/ping")
        assert r.status_code == 204
        assert r.headers["X-Kapacitor-Version"] == "1.5.0"


async def test_write_accepts_line_protocol_on_both_paths(client, server):
    for path in ("/write", "/kapacitor/v1/write"):
        r = await client.post(path, params={"db": "db", "precision": "s"}, content=b"cpu v=1 1\ncpu v=2 2\n")
        assert r.status_code == 204, r.text
    assert server.services.kernel.registry.ingress[("db", "autogen", "cpu")] == 4


async def test_write_takes_gzip_bodies(client, server):
    body = gzip.compress(b"mem,host=a used=5i 10\n")
    r = await client.post(
        "/kapacitor/v1/write",
        params={"db": "db", "rp": "short"},
        content=body,
        headers={"Content-Encoding": "gzip"},
    )
    assert r.status_code == 204, r.text
    assert server.services.kernel.registry.ingress[("db", "short", "mem")] == 1


async def test_gzip_bodies_may_not_inflate_past_the_body_limit(make_config, start_server):
    config = make_config()
    config.http.max_body_size = 10_000
    lines = b"cpu v=1 1\n" * 1000  # exactly the limit
    async with start_server(config) as server, httpx.AsyncClient(base_url=server.url) as client:
        for body, status in ((lines, 204), (lines + b"cpu v=2 2\n", 413)):
            r = await client.post(
                "/write",
                params={"db": "db"},
                content=gzip.compress(body),
                headers={"Content-Encoding": "gzip"},
            )
            assert r.status_code == status, r.text
        assert "larger than 10000 bytes" in r.json()["error"]
        assert server.services.kernel.registry.ingress[("db", "autogen", "cpu")] == 1000
        # several gzip members are one body, as gzip itself has it
        r = await client.post(
            "/write",
            params={"db": "db"},
            content=gzip.compress(b"cpu v=1 1\n") * 2,
            headers={"Content-Encoding": "gzip"},
        )
        assert r.status_code == 204, r.text
        assert server.services.kernel.registry.ingress[("db", "autogen", "cpu")] == 1002


async def test_partial_write_names_the_bad_lines_and_keeps_the_good(client, server):
    body = b"cpu v=1 1\ncpu v= 2\ncpu v=3 3\ncpu 4\n"
    r = await client.post("/write", params={"db": "db"}, content=body)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error.startswith("partial write: line 2: ")
    assert "line 4: " in error and error.endswith("dropped=2")
    assert server.services.kernel.registry.ingress[("db", "autogen", "cpu")] == 2


async def test_write_errors(client):
    cases = [
        ({"precision": "s"}, b"cpu v=1 1\n", "database is required"),
        ({"db": "db", "precision": "fortnight"}, b"cpu v=1 1\n", "invalid precision"),
        ({"db": "db"}, b"nonsense\n", "line 1: unable to parse"),
    ]
    for params, body, message in cases:
        r = await client.post("/write", params=params, content=body)
        assert r.status_code == 400
        assert message in r.json()["error"]
    r = await client.post(
        "/write", params={"db": "db"}, content=b"not gzip", headers={"Content-Encoding": "gzip"}
    )
    assert r.status_code == 400
    assert "gzip" in r.json()["error"]


async def test_unknown_paths_and_wrong_methods_answer_json(client):
    r = await client.get("/kapacitor/v1/nothing-here")
    assert r.status_code == 404
    assert r.json() == {"error": "not found: /kapacitor/v1/nothing-here"}
    r = await client.put("/kapacitor/v1/tasks")
    assert r.status_code == 405
    assert "not allowed" in r.json()["error"]
    assert "POST" in r.headers["Allow"]


async def test_missing_tasks_templates_and_outputs_are_404(client):
    r = await client.get("/kapacitor/v1/tasks/nosuch", params={"dot-view": "attributes"})
    assert (r.status_code, r.json()) == (404, {"error": "no task exists"})
    r = await client.get("/kapacitor/v1/templates/nosuch")
    assert (r.status_code, r.json()) == (404, {"error": "no template exists"})
    r = await client.get("/kapacitor/v1/tasks/nosuch/out")
    assert r.status_code == 404
    assert "error" in r.json()
    r = await client.patch("/kapacitor/v1/tasks/nosuch", json={"status": "enabled"})
    assert (r.status_code, r.json()) == (404, {"error": "task does not exist, cannot update"})
    for path in ("/kapacitor/v1/tasks/nosuch", "/kapacitor/v1/templates/nosuch"):
        assert (await client.delete(path)).status_code == 204


async def test_invalid_requests_are_400(client):
    r = await client.post("/kapacitor/v1/tasks", content=b"{not json")
    assert (r.status_code, r.json()) == (400, {"error": "invalid JSON"})
    r = await client.post("/kapacitor/v1/tasks", json={"id": "bad id!", "type": "stream", "script": "stream"})
    assert r.status_code == 400
    assert r.json()["error"].startswith("task ID must contain only letters, numbers, '-', '.' and '_'.")
    r = await client.post("/kapacitor/v1/tasks", json={"id": "t", "type": "neither", "script": "stream"})
    assert r.json() == {"error": 'unknown type "neither"'}
    r = await client.post("/kapacitor/v1/tasks", json={"id": "t", "type": "stream"})
    assert r.json() == {"error": "must provide TICKscript"}
    r = await client.post("/kapacitor/v1/tasks", json={"id": "t", "template-id": "nope"})
    assert r.json() == {"error": "unknown template nope: err: no template exists"}
    r = await client.post(
        "/kapacitor/v1/tasks",
        json={"id": "t", "type": "stream", "script": "stream", "vars": {"x": {"type": "int"}}},
    )
    assert r.json()["error"].startswith("invalid var x: ")
    r = await client.get("/kapacitor/v1/tasks", params={"limit": "many"})
    assert r.status_code == 400 and "invalid limit parameter" in r.json()["error"]
    r = await client.get("/kapacitor/v1/tasks", params={"fields": "colour"})
    assert r.json() == {"error": 'unsupported field "colour"'}
    r = await client.get("/kapacitor/v1/tasks", params={"script-format": "pretty"})
    assert r.json() == {"error": 'invalid script-format parameter "pretty"'}
    r = await client.get("/kapacitor/v1/tasks", params={"dot-view": "3d"})
    assert r.json() == {"error": 'invalid dot-view parameter "3d"'}
    r = await client.post("/kapacitor/v1/templates", json={"id": "tpl", "type": "stream"})
    assert r.json() == {"error": "must provide TICKscript"}


async def test_debug_vars_have_kapacitors_shape(client):
    await client.post("/write", params={"db": "db", "rp": "rp"}, content=b"cpu v=1 1\nmem v=1 1\ncpu v=2 2\n")
    r = await client.get("/kapacitor/v1/debug/vars")
    body = r.json()
    assert body["num_tasks"] == 0 and body["num_enabled_tasks"] == 0 and body["num_subscriptions"] == 0
    assert body["host"] == "localhost"
    ingress = {s["tags"]["measurement"]: s for s in body["kapacitor"].values() if s["name"] == "ingress"}
    assert ingress["cpu"]["values"] == {"points_received": 2}
    assert ingress["mem"]["values"] == {"points_received": 1}
    tags = ingress["cpu"]["tags"]
    assert tags["database"] == "db" and tags["retention_policy"] == "rp" and tags["task_master"] == "main"
    assert tags["cluster_id"] == body["cluster_id"] and tags["server_id"] == body["server_id"]
    again = (await client.get("/kapacitor/v1/debug/vars")).json()
    assert again["kapacitor"].keys() == body["kapacitor"].keys()


async def test_config_is_shown_in_sections(client, server):
    r = await client.get("/kapacitor/v1/config")
    sections = r.json()["sections"]
    http = sections["http"]["elements"][0]["options"]
    assert http["bind-address"] == "127.0.0.1:0"
    assert sections["storage"]["elements"][0]["options"] == {"path": "leyden.db"}
    r = await client.get("/kapacitor/v1/config/logging")
    assert r.json()["elements"][0]["options"]["level"] == "INFO"
    assert (await client.get("/kapacitor/v1/config/nosuch")).status_code == 404
    assert (await client.post("/kapacitor/v1/config", json={})).status_code == 405


async def test_secrets_in_plugin_sections_are_redacted(make_config, start_server):
    config = make_config()
    config.extra = {"smtp": {"host": "mail", "password": "hunter2"}}
    async with start_server(config) as server, httpx.AsyncClient(base_url=server.url) as client:
        element = (await client.get("/kapacitor/v1/config/smtp")).json()["elements"][0]
    assert element["options"] == {"host": "mail", "password": True}
    assert element["redacted"] == ["password"]
    assert "hunter2" not in json.dumps(element)


async def test_empty_lists(client):
    assert (await client.get("/kapacitor/v1/tasks")).json() == {"tasks": []}
    assert (await client.get("/kapacitor/v1/templates")).json() == {"templates": []}
