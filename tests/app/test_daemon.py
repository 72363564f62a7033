"""leydend as a process: it starts on a free port and stops cleanly on SIGTERM and SIGINT."""

import os
import signal
import socket
import subprocess
import tomllib
import urllib.request
from urllib.parse import urlsplit


def port_is_free(url):
    parts = urlsplit(url)
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((parts.hostname, parts.port))
        except OSError:
            return False
    return True


def test_sigterm_stops_leydend_cleanly_and_releases_the_port(daemon):
    with urllib.request.urlopen(daemon.url + "/kapacitor/v1/ping", timeout=10) as r:
        assert r.status == 204
    assert not port_is_free(daemon.url)
    assert daemon.terminate() == 0
    assert port_is_free(daemon.url)
    assert (daemon.data_dir / "leyden.db").exists()


def test_sigint_stops_leydend_cleanly(daemon):
    daemon.proc.send_signal(signal.SIGINT)
    assert daemon.proc.wait(timeout=20) == 0
    log = daemon.proc.stderr.read()
    assert "SIGINT received, shutting down" in log
    assert "Traceback" not in log


def test_leyden_serve_runs_the_same_server(launch_daemon):
    daemon = launch_daemon(command=("leyden", "serve"))
    with urllib.request.urlopen(daemon.url + "/kapacitor/v1/ping", timeout=10) as r:
        assert r.status == 204
    assert daemon.terminate() == 0


def test_pidfile_lives_while_the_server_runs(tmp_path, launch_daemon):
    pidfile = tmp_path / "leydend.pid"
    daemon = launch_daemon("--pidfile", str(pidfile))
    assert int(pidfile.read_text()) == daemon.proc.pid
    assert daemon.terminate() == 0
    assert not pidfile.exists()


def test_config_command_prints_the_effective_config(tmp_path):
    path = tmp_path / "leyden.toml"
    path.write_text('[http]\nbind-address = "127.0.0.1:1234"\n')
    out = subprocess.run(
        ["leydend", "config", "-config", str(path), "--data-dir", "/srv/leyden"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"], "LEYDEN_LOGGING_LEVEL": "DEBUG"},
    ).stdout
    config = tomllib.loads(out)
    assert config["http"]["bind-address"] == "127.0.0.1:1234"
    assert config["data_dir"] == "/srv/leyden"
    assert config["logging"]["level"] == "DEBUG"


def test_a_bad_config_is_a_one_line_error(tmp_path):
    path = tmp_path / "leyden.toml"
    path.write_text("[http]\nport = 1\n")
    result = subprocess.run(["leydend", "-config", str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == "leydend: unknown setting [http] port"


def test_a_taken_port_is_reported(daemon, tmp_path):
    port = urlsplit(daemon.url).port
    result = subprocess.run(
        ["leydend", "--data-dir", str(tmp_path / "other"), "--bind", f"127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert f"cannot start: cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_logging_setting_is_a_one_line_error(tmp_path):
    for setting, message in [
        ('level = "LOUD"', "leydend: [logging] level must be DEBUG, INFO, WARNING or ERROR, not 'LOUD'"),
        (
            f'file = "{tmp_path}/missing/leydend.log"',
            f"leydend: [logging] file: cannot open {tmp_path}/missing/leydend.log: No such file or directory",
        ),
    ]:
        path = tmp_path / "leyden.toml"
        path.write_text(f"[logging]\n{setting}\n")
        result = subprocess.run(["leydend", "-config", str(path)], capture_output=True, text=True)
        assert (result.returncode, result.stderr.strip()) == (1, message)


def test_a_store_that_cannot_be_opened_is_a_one_line_error(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "leyden.db").write_text("not sqlite " * 20)
    command = ["leydend", "--data-dir", str(data), "--bind", "127.0.0.1:0"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert f"cannot start: cannot open the store {data}/leyden.db: file is not a database" in result.stderr
    assert "Traceback" not in result.stderr
