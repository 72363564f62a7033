"""``POST /kapacitor/v1/sideload/reload`` against a real server and a real file tree."""

from test_api_tasks import create, write

SCRIPT = """stream
  |from().measurement('cpu')
  |sideload()
    .source('file://{root}')
    .order('host/{{{{.host}}}}.yml', 'default.yml')
    .field('threshold', 0.0)
  |httpOut('out')
"""


async def threshold(client, task_id):
    r = await client.get(f"/kapacitor/v1/tasks/{task_id}/out")
    assert r.status_code == 200, r.text
    series = r.json()["series"][0]
    return series["values"][-1][series["columns"].index("threshold")]


async def test_reload_reads_the_files_again_for_every_task_sharing_the_source(client, tmp_path):
    (tmp_path / "host").mkdir()
    (tmp_path / "host" / "a.yml").write_text("threshold: 10\n")
    (tmp_path / "default.yml").write_text("threshold: 1\n")
    for task_id in ("s1", "s2"):
        await create(client, task_id, SCRIPT.format(root=tmp_path), status="enabled")
    await write(client, b"cpu,host=a v=1 1\n")
    assert [await threshold(client, t) for t in ("s1", "s2")] == [10.0, 10.0]

    (tmp_path / "host" / "a.yml").write_text("threshold: 20\n")
    await write(client, b"cpu,host=a v=1 2\n")
    assert await threshold(client, "s1") == 10.0  # read at start, until reloaded

    r = await client.post("/kapacitor/v1/sideload/reload")
    assert r.status_code == 204, r.text
    await write(client, b"cpu,host=a v=1 3\n")
    assert [await threshold(client, t) for t in ("s1", "s2")] == [20.0, 20.0]


async def test_a_file_that_no_longer_parses_keeps_the_old_values(client, tmp_path):
    (tmp_path / "default.yml").write_text("threshold: 5\n")
    await create(client, "s1", SCRIPT.format(root=tmp_path), status="enabled")
    (tmp_path / "default.yml").write_text("threshold: [unclosed\n")
    r = await client.post("/kapacitor/v1/sideload/reload")
    assert r.status_code == 500
    assert "default.yml" in r.json()["error"]
    await write(client, b"cpu,host=b v=1 1\n")
    assert await threshold(client, "s1") == 5.0


async def test_reload_only_takes_post(client):
    r = await client.get("/kapacitor/v1/sideload/reload")
    assert r.status_code == 405
