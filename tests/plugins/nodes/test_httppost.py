"""httpPost: bodies, headers and endpoints against a real local HTTP receiver; a slow
receiver does not hold the data back."""

from __future__ import annotations

import base64
import logging

import pytest
import trio
import trio.testing
from receivers import start_http

from leyden.app.config import from_dict
from leyden.kernel import Batch, DeleteGroup, Point
from leyden.plugins.nodes.httppost import HTTPPostNode

S = 1_000_000_000


@pytest.fixture
async def receiver(nursery):
    return await start_http(nursery)


def httppost(make_context, *urls, **props):
    properties = {
        k: v if isinstance(v, list) else [v if isinstance(v, tuple) else (v,)] for k, v in props.items()
    }
    return HTTPPostNode(make_context("http_post", *urls, properties=properties))


def cpu(value, t=0, host="a"):
    return Point("cpu", {"host": host}, {"value": value}, t * S)


async def test_points_are_posted_as_series_and_passed_on(make_context, drive, receiver):
    node = httppost(make_context, receiver.url + "/out", header=[("X-Source", "leyden")])
    d = drive(node)
    chunk = [cpu(1.5, 10), DeleteGroup(""), cpu(2, 20, host="b")]
    await d.send(chunk)
    assert d.take() == chunk
    await receiver.wait_for(2)
    assert receiver.bodies() == [
        {"series": [{"name": "cpu", "tags": {"host": "a"}, "columns": ["time", "value"],
                     "values": [["1970-01-01T00:00:10Z", 1.5]]}]},
        {"series": [{"name": "cpu", "tags": {"host": "b"}, "columns": ["time", "value"],
                     "values": [["1970-01-01T00:00:20Z", 2]]}]},
    ]  # fmt: skip
    request = receiver.requests[0]
    assert (request.path, request.headers["content-type"], request.headers["x-source"]) == (
        "/out",
        "application/json",
        "leyden",
    )


async def test_one_body_per_batch_even_an_empty_one(make_context, drive, receiver):
    d = drive(httppost(make_context, receiver.url))
    batch = Batch("cpu", {"host": "a"}, [cpu(1, 0), cpu(2, 30)], 60 * S)
    await d.send([batch, Batch("cpu", {"host": "b"}, [], 60 * S)])
    await receiver.wait_for(2)
    assert receiver.bodies() == [
        {"series": [{"name": "cpu", "tags": {"host": "a"}, "columns": ["time", "value"],
                     "values": [["1970-01-01T00:00:00Z", 1], ["1970-01-01T00:00:30Z", 2]]}]},
        {"series": [{"name": "cpu", "tags": {"host": "b"}}]},
    ]  # fmt: skip


async def test_endpoints_come_from_the_configuration(make_context, drive, receiver):
    config = from_dict(
        {
            "httppost": [
                {"endpoint": "other", "url": "http://127.0.0.1:9/nowhere"},
                {
                    "endpoint": "sink",
                    "url": receiver.url + "/sink",
                    "headers": {"X-From": "config"},
                    "basic-auth": {"username": "u", "password": "p"},
                },
            ]
        }
    )
    ctx = make_context("http_post", properties={"endpoint": [("sink",)]}, services={"config": config})
    d = drive(HTTPPostNode(ctx))
    await d.send([cpu(1)])
    await receiver.wait_for(1)
    request = receiver.requests[0]
    assert (request.path, request.headers["x-from"]) == ("/sink", "config")
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    ctx = make_context("http_post", properties={"endpoint": [("missing",)]}, services={"config": config})
    with pytest.raises(ValueError, match="endpoint 'missing' does not exist"):
        HTTPPostNode(ctx)


def sink(receiver, **entry):
    return {"config": from_dict({"httppost": [{"endpoint": "sink", "url": receiver.url, **entry}]})}


async def test_a_row_template_renders_the_body(make_context, drive, receiver):
    template = (
        '{{ .Name }} host={{ index .Tags "host" }}'
        '{{ range .Values }} {{ index . "time" }}={{ index . "value" }}{{ end }}'
    )
    services = sink(receiver, **{"row-template": template})
    ctx = make_context("http_post", properties={"endpoint": [("sink",)]}, services=services)
    d = drive(HTTPPostNode(ctx))
    batch = Batch("cpu", {"host": "a"}, [cpu(1, 0), cpu(2.5, 30)], 60 * S)
    await d.send([cpu(7, 10, host="b"), batch])
    await receiver.wait_for(2)
    assert [r.body.decode() for r in receiver.requests] == [
        "cpu host=b 1970-01-01 00:00:10 +0000 UTC=7",
        "cpu host=a 1970-01-01 00:00:00 +0000 UTC=1 1970-01-01 00:00:30 +0000 UTC=2.5",
    ]
    assert "content-type" not in receiver.requests[0].headers


async def test_a_row_template_file_and_its_failures(make_context, drive, receiver, tmp_path, caplog):
    path = tmp_path / "row.tmpl"
    path.write_text("{{ .Name }}:{{ .Missing }}")
    services = sink(receiver, **{"row-template-file": str(path)})
    d = drive(
        HTTPPostNode(make_context("http_post", properties={"endpoint": [("sink",)]}, services=services))
    )
    with caplog.at_level(logging.ERROR):
        await d.send([cpu(1)])
        await trio.testing.wait_all_tasks_blocked()
    assert receiver.requests == []
    assert "failed to execute the row template" in caplog.text


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"row-template": "{{ .Name "}, "row-template"),
        ({"row-template-file": "relative.tmpl"}, "must be an absolute path"),
        ({"row-template-file": "/nonexistent/row.tmpl"}, "cannot read row-template-file"),
        ({"row-template": "x", "row-template-file": "/x"}, "only one of"),
    ],
)
def test_bad_row_templates_refuse_the_node(make_context, entry, message):
    services = {
        "config": from_dict({"httppost": [{"endpoint": "sink", "url": "http://127.0.0.1:9", **entry}]})
    }
    with pytest.raises(ValueError, match=message):
        HTTPPostNode(make_context("http_post", properties={"endpoint": [("sink",)]}, services=services))


async def test_a_slow_receiver_does_not_hold_the_data_back(make_context, drive, receiver):
    receiver.hold = trio.Event()
    node = httppost(make_context, receiver.url)
    node.queue_size = 3
    d = drive(node)
    await d.send([cpu(0)])
    await receiver.wait_for(1)  # the first post is stuck in the receiver
    points = [cpu(v) for v in range(1, 6)]
    await d.send(points)
    assert d.take()[1:] == points  # passed on although nothing more could be posted
    assert node.stats.errors == 2  # three fit in the queue, two were dropped
    receiver.hold.set()
    await receiver.wait_for(4)
    assert [b["series"][0]["values"][0][1] for b in receiver.bodies()] == [0, 1, 2, 3]


async def test_failures_are_logged_with_the_response_when_captured(make_context, drive, receiver, caplog):
    receiver.status = 500
    node = httppost(make_context, receiver.url, captureResponse=())
    d = drive(node)
    with caplog.at_level(logging.ERROR, logger="leyden.node.httppost"):
        await d.send([cpu(1)])
        await receiver.wait_for(1)
        await d.close()
    assert node.stats.errors == 1
    assert "status 500: boom" in caplog.text


async def test_code_field_adds_the_status_and_zero_without_a_response(make_context, drive, receiver):
    receiver.status = 201
    d = drive(httppost(make_context, receiver.url, codeField="code"))
    await d.send([cpu(1), Batch("cpu", {}, [cpu(2)], 0)])
    await d.wait_for(2)
    point, batch = d.take()
    assert point.fields == {"value": 1, "code": 201}
    assert batch.points[0].fields == {"value": 2, "code": 201}
    receiver.hold = trio.Event()
    d = drive(httppost(make_context, receiver.url, codeField="code", timeout=S // 20))
    await d.send([cpu(3)])
    await d.wait_for(1)
    assert d.take()[0].fields == {"value": 3, "code": 0}
    receiver.hold.set()


@pytest.mark.parametrize(
    ("urls", "props", "message"),
    [
        ((), {}, "must provide url or endpoint"),
        (("http://a", "http://b"), {}, "expects 0 or 1 arguments"),
        (("http://a",), {"endpoint": [("e",)]}, "only one endpoint and url"),
        ((), {"endpoint": [("e",), ("f",)]}, "expects 0 or 1 endpoints"),
        (("http://a",), {"header": [("Authenticate", "x")]}, "cannot set 'authenticate' header"),
    ],
)
async def test_invalid_posts(make_context, urls, props, message):
    with pytest.raises(ValueError, match=message):
        HTTPPostNode(make_context("http_post", *urls, properties=props))
