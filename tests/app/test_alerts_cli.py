"""The ``leyden`` CLI's topic commands, run as processes against a server in this test."""

import json
import os

import trio
import trio.testing

TOPICS = "/kapacitor/v1/alerts/topics"
SCRIPT = """stream
  |from().measurement('cpu').groupBy('host')
  |alert()
    .crit(lambda: "value" > 90)
    .message('{{ .ID }} is {{ .Level }}')
    .topic('cpu')
"""
YAML_HANDLER = """topic: cpu
id: to_log
kind: log
match: level() >= WARNING
options:
  path: {path}
  mode: 0644
"""


async def leyden(url: str, *args: str, cwd=None, check: bool = True) -> str:
    result = await trio.run_process(
        ["leyden", "-url", url, *args],
        capture_stdout=True,
        capture_stderr=True,
        cwd=cwd,
        env=os.environ,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stderr.decode()
    return (result.stdout + result.stderr).decode()


async def test_define_topic_handler_from_yaml_and_json_files(server, client, tmp_path):
    url = server.url
    (tmp_path / "log.yaml").write_text(YAML_HANDLER.format(path=tmp_path / "a.log"))
    await leyden(url, "define-topic-handler", "log.yaml", cwd=tmp_path)
    handler = (await client.get(f"{TOPICS}/cpu/handlers/to_log")).json()
    assert (handler["kind"], handler["match"]) == ("log", "level() >= WARNING")
    assert handler["options"] == {"path": str(tmp_path / "a.log"), "mode": 0o644}

    # Kapacitor 1.2's form: topic and id before the file, which then needs neither
    hook = {"kind": "post", "options": {"url": "http://127.0.0.1:9/hook"}}
    (tmp_path / "hook.json").write_text(json.dumps(hook))
    await leyden(url, "define-topic-handler", "ops:team", "hook", "hook.json", cwd=tmp_path)
    handler = (await client.get(f"{TOPICS}/ops:team/handlers/hook")).json()
    assert (handler["kind"], handler["options"], handler["match"]) == ("post", hook["options"], "")

    # defining it again replaces it
    (tmp_path / "log.json").write_text(
        json.dumps(
            {"topic": "cpu", "id": "to_log", "kind": "log", "options": {"path": str(tmp_path / "b.log")}}
        )
    )
    await leyden(url, "define-topic-handler", "log.json", cwd=tmp_path)
    handler = (await client.get(f"{TOPICS}/cpu/handlers/to_log")).json()
    assert (handler["options"], handler["match"]) == ({"path": str(tmp_path / "b.log")}, "")

    shown = await leyden(url, "show-topic-handler", "cpu", "to_log")
    assert (
        shown == f'ID: to_log\nTopic: cpu\nKind: log\nMatch: \nOptions: {{"path":"{tmp_path / "b.log"}"}}\n'
    )

    (tmp_path / "bad.yaml").write_text("topic: cpu\nid: bad\nkind: log\noptions:\n  path: relative.log\n")
    out = await leyden(url, "define-topic-handler", "bad.yaml", cwd=tmp_path, check=False)
    assert "must be absolute" in out
    (tmp_path / "anonymous.yaml").write_text("kind: log\n")
    out = await leyden(url, "define-topic-handler", "anonymous.yaml", cwd=tmp_path, check=False)
    assert "must name the handler's topic and id" in out


async def test_list_show_and_delete_topics_and_handlers(server, client, tmp_path):
    url = server.url
    for topic, handler in (("cpu", "h1"), ("cpu", "h2"), ("mem", "h1")):
        body = {"id": handler, "kind": "log", "options": {"path": str(tmp_path / f"{topic}.log")}}
        assert (await client.post(f"{TOPICS}/{topic}/handlers", json=body)).status_code == 200
    body = {
        "id": "t",
        "type": "stream",
        "dbrps": [{"db": "db", "rp": "rp"}],
        "script": SCRIPT,
        "status": "enabled",
    }
    assert (await client.post("/kapacitor/v1/tasks", json=body)).status_code == 200
    lines = b"cpu,host=a value=95 60\ncpu,host=bb value=99 120\n"
    await client.post("/kapacitor/v1/write", params={"db": "db", "rp": "rp", "precision": "s"}, content=lines)
    await trio.testing.wait_all_tasks_blocked()

    assert (await leyden(url, "list", "topics")).splitlines() == [
        "ID  Level     Collected",
        "cpu CRITICAL          2",
        "mem OK                0",
    ]
    assert (await leyden(url, "list", "topics", "m*")).splitlines()[1:] == ["mem OK                0"]
    assert (await leyden(url, "list", "topic-handlers")).splitlines() == [
        "Topic      ID         Kind",
        "cpu        h1         log",
        "cpu        h2         log",
        "mem        h1         log",
    ]
    assert (await leyden(url, "list", "topic-handlers", "cpu", "*2")).splitlines()[1:] == [
        "cpu        h2         log"
    ]
    assert (await leyden(url, "show-topic", "cpu")).splitlines() == [
        "ID: cpu",
        "Level: CRITICAL",
        "Collected: 2",
        "Handlers: [h1, h2]",
        "Events:",
        "Event       Level    Message                 Date",
        "cpu:host=a  CRITICAL cpu:host=a is CRITICAL  01 Jan 70 00:01 UTC",
        "cpu:host=bb CRITICAL cpu:host=bb is CRITICAL 01 Jan 70 00:02 UTC",
    ]

    await leyden(url, "delete", "topic-handlers", "cpu", "h*")
    assert (await client.get(f"{TOPICS}/cpu/handlers")).json()["handlers"] == []
    await leyden(url, "delete", "topics", "cpu", "nothing*")
    assert (await client.get(f"{TOPICS}/cpu")).status_code == 404
    assert "unknown topic" in await leyden(url, "show-topic", "cpu", check=False)
