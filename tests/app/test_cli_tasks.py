"""The Kapacitor CLI workflow (define, enable, list, show, templates, delete) with leyden."""

import json
import os
import re
import subprocess
import urllib.request

SCRIPT = """stream
  |from().measurement('cpu')
  |window().period(10s).every(10s)
  |count('value')
  |httpOut('c')
"""
TEMPLATE = """var m = 'cpu'
var p = 10s
stream
  |from().measurement(m)
  |window().period(p).every(p)
  |mean('value')
  |httpOut('m')
"""


def leyden(url, *args, cwd=None):
    result = subprocess.run(
        ["leyden", "-url", url, *args], capture_output=True, text=True, cwd=cwd, timeout=60, env=os.environ
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def get(url, path):
    with urllib.request.urlopen(url + path, timeout=10) as r:
        return json.load(r)


def test_define_enable_list_show_disable_delete(daemon, tmp_path):
    (tmp_path / "t.tick").write_text(SCRIPT)
    url = daemon.url
    leyden(url, "define", "cli1", "-type", "stream", "-tick", "t.tick", "-dbrp", "db.rp", cwd=tmp_path)
    task = get(url, "/kapacitor/v1/tasks/cli1")
    assert (task["status"], task["dbrps"]) == ("disabled", [{"db": "db", "rp": "rp"}])

    leyden(url, "enable", "cli*")
    rows = leyden(url, "list", "tasks").splitlines()
    assert rows[0].split() == [
        "ID",
        "Type",
        "Status",
        "Executing",
        "Databases",
        "and",
        "Retention",
        "Policies",
    ]
    assert rows[1].split() == ["cli1", "stream", "enabled", "true", '["db"."rp"]']

    request = urllib.request.Request(
        url + "/write?db=db&rp=rp&precision=s", data=b"cpu value=1 0\n", method="POST"
    )
    urllib.request.urlopen(request, timeout=10).close()
    shown = leyden(url, "show", "cli1")
    assert shown.startswith("ID: cli1\nError: \nTemplate: \nType: stream\nStatus: enabled\nExecuting: true\n")
    assert '\nDatabases Retention Policies: ["db"."rp"]\nTICKscript:\nstream\n    |from()\n' in shown
    assert '\nDOT:\ndigraph cli1 {\ngraph [throughput="' in shown
    assert re.search(r'\nstream0 \[avg_exec_time_ns="[^"]+" errors="0" working_cardinality="0" \];\n', shown)
    assert re.search(
        r'\nstream0 -> from1 \[processed="[01]"\];\n', shown
    )  # the write may still be on its way

    leyden(url, "reload", "cli1")
    assert get(url, "/kapacitor/v1/tasks/cli1")["executing"]
    leyden(url, "disable", "cli1")
    assert not get(url, "/kapacitor/v1/tasks/cli1")["executing"]

    # define again: an update, keeping what is not given
    (tmp_path / "t2.tick").write_text(SCRIPT.replace("count", "sum"))
    leyden(url, "define", "cli1", "-tick", "t2.tick", cwd=tmp_path)
    task = get(url, "/kapacitor/v1/tasks/cli1?script-format=raw")
    assert "sum('value')" in task["script"] and task["dbrps"] == [{"db": "db", "rp": "rp"}]

    leyden(url, "delete", "tasks", "cli1")
    assert get(url, "/kapacitor/v1/tasks") == {"tasks": []}


def test_templates_vars_and_task_files(daemon, tmp_path):
    url = daemon.url
    (tmp_path / "tpl.tick").write_text(TEMPLATE)
    (tmp_path / "vars.json").write_text(json.dumps({"p": {"type": "duration", "value": "20s"}}))
    (tmp_path / "task.yaml").write_text(
        "template-id: tpl1\ndbrps:\n  - db: db\n    rp: rp\nvars:\n  m:\n    type: string\n    value: mem\n"
    )
    leyden(url, "define-template", "tpl1", "-type", "stream", "-tick", "tpl.tick", cwd=tmp_path)
    leyden(
        url, "define", "cli2", "-template", "tpl1", "-vars", "vars.json", "-dbrp", '"db"."rp"', cwd=tmp_path
    )
    leyden(url, "define", "cli3", "-file", "task.yaml", cwd=tmp_path)
    cli2 = get(url, "/kapacitor/v1/tasks/cli2")
    assert cli2["vars"] == {"p": {"type": "duration", "value": 20_000_000_000, "description": ""}}
    assert get(url, "/kapacitor/v1/tasks/cli3")["vars"]["m"]["value"] == "mem"

    rows = leyden(url, "list", "templates").splitlines()
    assert [r.split() for r in rows] == [["ID", "Type", "Vars"], ["tpl1", "stream", "m,p"]]
    shown = leyden(url, "show-template", "tpl1")
    assert shown.startswith("ID: tpl1\nError: \nType: stream\n")
    vars_rows = shown.split("\nVars:\n")[1].split("\nDOT:\n")[0].splitlines()
    assert vars_rows[0].split() == ["Name", "Type", "Default", "Value", "Description"]
    assert vars_rows[1].split() == ["m", "string", "'cpu'"]
    assert vars_rows[2].split() == ["p", "duration", "10s"]
    shown = leyden(url, "show", "cli2")
    assert "\nVars:\n" in shown and shown.split("\nVars:\n")[1].splitlines()[1].split() == [
        "p",
        "duration",
        "20s",
    ]

    leyden(url, "delete", "tasks", "cli*")
    leyden(url, "delete", "templates", "tpl1")
    assert get(url, "/kapacitor/v1/templates") == {"templates": []}


def test_define_refuses_what_the_server_refuses(daemon, tmp_path):
    (tmp_path / "bad.tick").write_text("stream\n  |nosuch()\n")
    result = subprocess.run(
        [
            "leyden",
            "-url",
            daemon.url,
            "define",
            "bad",
            "-type",
            "stream",
            "-tick",
            "bad.tick",
            "-dbrp",
            "db.rp",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stderr.startswith("leyden: invalid TICKscript: line 2 char ")
    result = subprocess.run(
        ["leyden", "-url", daemon.url, "define", "x", "-tick", "bad.tick", "-dbrp", "nodot"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 3 and "invalid dbrp 'nodot'" in result.stderr
