"""The leyden CLI as a process, against a running leydend (or none)."""

import os
import subprocess
import urllib.request

import pytest


def leyden(*args, url=None, env=None, cwd=None):
    full_env = {**os.environ, **(env or {})}
    command = ["leyden", *(["-url", url] if url else []), *args]
    return subprocess.run(command, capture_output=True, text=True, env=full_env, cwd=cwd, timeout=60)


def test_a_server_that_is_down_gets_one_clear_line(unused_url):
    result = leyden("list", "tasks", url=unused_url)
    assert result.returncode == 4
    assert result.stderr.strip() == (
        f"leyden: cannot reach the server at {unused_url}: connection refused "
        "(is leydend running? set -url or LEYDEN_URL)"
    )


@pytest.mark.parametrize("variable", ["LEYDEN_URL", "KAPACITOR_URL"])
def test_url_comes_from_the_environment(daemon, variable):
    env = {"LEYDEN_URL": "", "KAPACITOR_URL": ""}
    env[variable] = daemon.url
    result = leyden("stats", "general", env=env)
    assert result.returncode == 0, result.stderr
    assert "Tasks:" in result.stdout


def test_stats_general_and_ingress(daemon):
    body = b"cpu,host=a v=1 1\ncpu,host=b v=2 2\nmem v=3 3\n"
    request = urllib.request.Request(daemon.url + "/write?db=telegraf&precision=s", data=body, method="POST")
    urllib.request.urlopen(request, timeout=10).close()
    general = leyden("stats", "general", url=daemon.url)
    assert general.returncode == 0, general.stderr
    lines = dict(line.split(":", 1) for line in general.stdout.splitlines())
    assert lines["Host"].strip() == "localhost"
    assert lines["Tasks"].strip() == "0" and lines["Enabled Tasks"].strip() == "0"
    assert lines["Version"].strip() == "1.5.0"
    assert len(lines["ClusterID"].strip()) == 36
    ingress = leyden("stats", "ingress", url=daemon.url).stdout.splitlines()
    assert ingress[0].split() == ["Database", "Retention", "Policy", "Measurement", "Points", "Received"]
    assert [row.split() for row in ingress[1:]] == [
        ["telegraf", "autogen", "cpu", "2"],
        ["telegraf", "autogen", "mem", "1"],
    ]


def test_errors_from_the_server_are_printed(daemon):
    result = leyden("show", "nosuch", url=daemon.url)
    assert (result.returncode, result.stderr.strip()) == (3, "leyden: no task exists")
    result = leyden("show-template", "nosuch", url=daemon.url)
    assert (result.returncode, result.stderr.strip()) == (3, "leyden: no template exists")


def test_empty_lists_print_headers(daemon):
    tasks = leyden("list", "tasks", url=daemon.url)
    assert tasks.stdout.split() == [
        "ID",
        "Type",
        "Status",
        "Executing",
        "Databases",
        "and",
        "Retention",
        "Policies",
    ]
    templates = leyden("list", "templates", "x*", url=daemon.url)
    assert templates.stdout.split() == ["ID", "Type", "Vars"]


def test_version_names_client_and_server(daemon):
    result = leyden("version", url=daemon.url)
    assert result.returncode == 0
    first, second = result.stdout.splitlines()
    assert first.startswith("leyden ") and first.endswith("(Kapacitor API 1.5.0)")
    assert second == f"server at {daemon.url}: Kapacitor API 1.5.0"


def test_plugins_lock_then_list(tmp_path):
    lock = tmp_path / "plugins.lock"
    result = leyden("plugins", "lock", "--lock", str(lock))
    assert result.returncode == 0, result.stderr
    assert f"in {lock}" in result.stdout
    assert "[[plugin]]" in lock.read_text() and 'name = "node.window"' in lock.read_text()
    listing = leyden("plugins", "list", "--lock", str(lock))
    assert listing.returncode == 0, listing.stderr
    rows = [
        line.split()
        for line in listing.stdout.splitlines()[1:]
        if line.strip() and not line.startswith("Lock")
    ]
    assert rows and all(row[-1] == "loaded" for row in rows)
    assert f"Lock: {lock}" in listing.stdout


def test_plugins_missing_from_the_lock_are_refused_with_the_reason(tmp_path):
    lock = tmp_path / "plugins.lock"
    lock.write_text("# empty lock\n")
    listing = leyden("plugins", "list", "--lock", str(lock))
    window = next(line for line in listing.stdout.splitlines() if "node.window" in line)
    assert "refused: not in " + str(lock) in window
