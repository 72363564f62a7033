"""The log, tcp, post and exec handlers against real receivers, built the way both
scripts and topic handler specs build them: through options."""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest
import trio
from receivers import HTTPReceiver, start_http, start_tcp
from sample_events import SAMPLE_JSON, sample_event

from leyden.kernel import HandlerConfig
from leyden.plugins.alerts import HandlerRefused
from leyden.plugins.alerts import exec as exec_handler
from leyden.plugins.alerts import log as log_handler
from leyden.plugins.alerts import post as post_handler
from leyden.plugins.alerts import tcp as tcp_handler


def spec(module):
    (found,) = module.leyden_alert_handlers()
    return found


def from_script(module, *args, config=None, **properties):
    """Build a handler as the alert node does for ``.name(args).prop(value)...``."""
    handler_spec = spec(module)
    props = {k: [v if isinstance(v, tuple) else (v,)] for k, v in properties.items()}
    cfg = HandlerConfig(handler_spec.name, args, props, (3, 5), spec=handler_spec)
    return handler_spec.build(handler_spec.options_from_script(cfg), config)


# -- log -----------------------------------------------------------------------------------


async def test_log_appends_json_lines(tmp_path):
    path = tmp_path / "alerts.log"
    handler = from_script(log_handler, str(path), mode=0o644)
    await handler.handle(sample_event())
    await handler.handle(sample_event(level=sample_event().level.OK))
    lines = path.read_text().splitlines()
    assert lines[0] == SAMPLE_JSON
    assert json.loads(lines[1])["level"] == "OK"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_log_options_are_checked():
    with pytest.raises(ValueError, match="must be absolute"):
        spec(log_handler).build({"path": "relative.log"})
    with pytest.raises(ValueError, match="user writable"):
        spec(log_handler).build({"path": "/tmp/x.log", "mode": 0o444})
    with pytest.raises(ValueError, match=r"^log: invalid file mode '644x', must be octal"):
        spec(log_handler).build({"path": "/tmp/x.log", "mode": "644x"})
    with pytest.raises(ValueError, match="unknown option 'paht'"):
        spec(log_handler).build({"paht": "/tmp/x.log"})


def test_topic_handler_options_build_the_same_handler(tmp_path):
    # {"kind": "log", "options": {...}} as the topic handler API carries it
    handler = spec(log_handler).build({"path": str(tmp_path / "a.log"), "mode": "0640"})
    assert handler.mode == 0o640
    assert handler.path == str(tmp_path / "a.log")


# -- tcp -----------------------------------------------------------------------------------


async def test_tcp_sends_the_json_like_kapacitor():
    async with trio.open_nursery() as nursery:
        receiver = await start_tcp(nursery)
        handler = from_script(tcp_handler, f"127.0.0.1:{receiver.port}")
        await handler.handle(sample_event())
        with trio.fail_after(5):
            await receiver.closed.wait()
        nursery.cancel_scope.cancel()
    # Kapacitor's encoder adds a newline, then its handler one more
    assert receiver.connections == [(SAMPLE_JSON + "\n\n").encode()]


async def test_tcp_fails_when_nobody_listens():
    async with trio.open_nursery() as nursery:
        receiver = await start_tcp(nursery)
        port = receiver.port
        nursery.cancel_scope.cancel()
    handler = spec(tcp_handler).build({"address": f"127.0.0.1:{port}"})
    with pytest.raises(OSError):
        await handler.handle(sample_event())


@pytest.mark.parametrize("address", ["nohost", "host:", ":80", "host:99999", "host:http"])
def test_tcp_address_is_checked(address):
    with pytest.raises(ValueError, match="host:port"):
        spec(tcp_handler).build({"address": address})


# -- post -----------------------------------------------------------------------------------


async def test_post_sends_alert_json_with_headers():
    async with trio.open_nursery() as nursery:
        receiver = await start_http(nursery, HTTPReceiver())
        handler = from_script(
            post_handler, receiver.url + "/alert", header=("X-Token", "abc"), timeout=5 * 10**9
        )
        await handler.handle(sample_event())
        await handler.aclose()
        nursery.cancel_scope.cancel()
    (request,) = receiver.requests
    assert (request.method, request.target) == ("POST", "/alert")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-token"] == "abc"
    assert request.body == (SAMPLE_JSON + "\n").encode()


async def test_post_endpoint_from_config_with_template_auth_and_url_template():
    async with trio.open_nursery() as nursery:
        receiver = await start_http(nursery, HTTPReceiver())
        config = {
            "httppost": [
                {"endpoint": "other", "url": "http://127.0.0.1:1"},
                {
                    "endpoint": "api",
                    "url": receiver.url + "/alerts/{{ .ID }}",
                    "headers": {"From": "leyden"},
                    "basic-auth": {"username": "u", "password": "p"},
                    "alert-template": "{{ .Message }} ({{ .Level }})",
                },
            ]
        }
        handler = from_script(post_handler, config=config, endpoint="api")
        await handler.handle(sample_event())
        await handler.aclose()
        nursery.cancel_scope.cancel()
    (request,) = receiver.requests
    assert request.target == "/alerts/cpu:nil"
    assert request.body == b"cpu:nil is CRITICAL (CRITICAL)"
    assert request.headers["from"] == "leyden"
    assert request.headers["authorization"] == "Basic dTpw"
    assert "content-type" not in request.headers


async def test_post_errors_retry_on_5xx_and_refuse_on_4xx():
    async with trio.open_nursery() as nursery:
        receiver = await start_http(nursery, HTTPReceiver(statuses=[503, 400]))
        handler = from_script(post_handler, receiver.url, captureResponse=())
        with pytest.raises(RuntimeError, match="answered 503: boom"):
            await handler.handle(sample_event())
        with pytest.raises(HandlerRefused, match="answered 400: boom"):
            await handler.handle(sample_event())
        await handler.aclose()
        nursery.cancel_scope.cancel()


def test_post_options_are_checked():
    with pytest.raises(ValueError, match="url must be given"):
        spec(post_handler).build({})
    with pytest.raises(ValueError, match="no \\[\\[httppost\\]\\] endpoint named 'nope'"):
        spec(post_handler).build({"endpoint": "nope"}, {"httppost": [{"endpoint": "api", "url": "x"}]})
    with pytest.raises(ValueError, match='function "nope" not defined'):
        spec(post_handler).build({"url": "http://x/{{ nope }}"})
    with pytest.raises(ValueError, match="'timeout'"):
        spec(post_handler).build({"url": "http://x", "timeout": "soon"})
    missing = {"endpoint": "api", "url": "http://x", "alert-template-file": "/nonexistent/t.tmpl"}
    with pytest.raises(ValueError, match=r"post: cannot read alert-template-file: .*/nonexistent/t\.tmpl"):
        spec(post_handler).build({"endpoint": "api"}, {"httppost": [missing]})


def test_post_script_and_topic_options_agree():
    handler_spec = spec(post_handler)
    cfg = HandlerConfig(
        "post",
        ("http://example.com/a",),
        {"header": [("A", "1"), ("B", "2")], "captureResponse": [()], "timeout": [(10**10,)]},
        spec=handler_spec,
    )
    assert handler_spec.options_from_script(cfg) == {
        "url": "http://example.com/a",
        "headers": {"A": "1", "B": "2"},
        "capture-response": True,
        "timeout": 10**10,
    }
    topic_options = {"url": "http://example.com/a", "headers": {"A": "1"}, "timeout": "10s"}
    assert handler_spec.build(topic_options).timeout_ns == 10**10


# -- exec ------------------------------------------------------------------------------------


def write_script(tmp_path, body: str) -> str:
    path = tmp_path / "handler.py"
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(0o755)
    return str(path)


async def test_exec_runs_an_allowed_program_with_the_event_on_stdin(tmp_path):
    out = tmp_path / "got.json"
    prog = write_script(
        tmp_path, "import sys\nopen(sys.argv[1], 'w').write(sys.argv[2] + ':' + sys.stdin.read())\n"
    )
    handler = from_script(exec_handler, prog, str(out), "tag", config={"exec": {"allowed": [prog]}})
    await handler.handle(sample_event())
    assert out.read_text() == "tag:" + SAMPLE_JSON + "\n"


async def test_exec_refuses_programs_not_allowed(tmp_path):
    out = tmp_path / "got.json"
    prog = write_script(tmp_path, f"open({str(out)!r}, 'w').write('ran')\n")
    for config in (None, {"exec": {}}, {"exec": {"allowed": ["/bin/true"]}}):
        handler = from_script(exec_handler, prog, config=config)
        with pytest.raises(HandlerRefused, match="not in the \\[exec\\] allowed list"):
            await handler.handle(sample_event())
    assert not out.exists()


async def test_exec_failure_reports_status_and_output(tmp_path):
    prog = write_script(tmp_path, "import sys\nprint('no pager configured')\nsys.exit(3)\n")
    handler = spec(exec_handler).build({"prog": prog}, {"exec": {"allowed": [prog]}})
    with pytest.raises(RuntimeError, match="exited with status 3: no pager configured"):
        await handler.handle(sample_event())
