"""kapacitorLoopback: points written back through the kernel reach the tasks reading them."""

from __future__ import annotations

import pytest
import trio.testing

from leyden.kernel import Batch, EdgeType, Kernel, Node, NodeSpec, Pipeline, PipelineNode, Point, TaskError
from leyden.plugins.nodes import source
from leyden.plugins.nodes.loopback import SPEC, LoopbackNode


class Collect(Node):
    """A sink for the test: keeps every message it receives."""

    def __init__(self, ctx):
        self.seen = []

    def process(self, chunk):
        self.seen.extend(chunk)
        return []


COLLECT = NodeSpec(name="collect", kind="collect", factory=Collect)


def pipeline(spec, properties=None):
    stream = PipelineNode(0, source.leyden_node_specs()[0], edge_out=EdgeType.STREAM)
    node = PipelineNode(1, spec, properties=properties or {}, parents=[stream], edge_in=EdgeType.STREAM)
    stream.children.append(node)
    return Pipeline([stream, node], EdgeType.STREAM)


async def test_points_are_written_back_renamed_and_tagged(nursery, plugins):
    kernel = await nursery.start(Kernel(plugins).run)
    props = {
        "database": [("derived",)],
        "retentionPolicy": [("autogen",)],
        "measurement": [("cpu_copy",)],
        "tag": [("copied", "yes"), ("host", "over")],
    }
    await kernel.start("writer", pipeline(SPEC, props), [("db", "rp")])
    reader = await kernel.start("reader", pipeline(COLLECT), [("derived", "autogen")])
    await kernel.write_lines("cpu,host=a,dc=x value=1 10\n", "db", "rp")
    await trio.testing.wait_all_tasks_blocked()
    (p,) = reader.running.instances["collect1"].seen
    assert (p.name, p.tags, p.fields, p.time) == (
        "cpu_copy",
        {"host": "over", "dc": "x", "copied": "yes"},
        {"value": 1.0},
        10,
    )
    assert p.dbrp == ("derived", "autogen")
    assert kernel.task("writer").running.stats["kapacitor_loopback1"].emitted == 0


async def test_batches_are_written_point_by_point_under_their_name(nursery, plugins, make_context):
    kernel = await nursery.start(Kernel(plugins).run)
    reader = await kernel.start("reader", pipeline(COLLECT), [("derived", "autogen")])
    props = {"database": [("derived",)], "retentionPolicy": [("autogen",)], "measurement": [("ignored",)]}
    node = LoopbackNode(make_context("kapacitor_loopback", properties=props, services=kernel.services))
    send, receive = trio.open_memory_channel(1)
    batch = Batch("mem", {}, [Point("mem", {}, {"v": 1}, 1), Point("mem", {}, {"v": 2}, 2)], 2)
    async with trio.open_nursery() as inner:
        inner.start_soon(node.run, receive, None)
        async with send:
            await send.send((0, [batch]))
    await trio.testing.wait_all_tasks_blocked()
    assert [(p.name, p.fields) for p in reader.running.instances["collect1"].seen] == [
        ("mem", {"v": 1}),
        ("mem", {"v": 2}),
    ]


@pytest.mark.parametrize(
    ("props", "message"),
    [({}, "must specify a database"), ({"database": [("d",)]}, "must specify a retention policy")],
)
async def test_database_and_retention_policy_are_required(make_context, props, message):
    with pytest.raises(ValueError, match=message):
        LoopbackNode(make_context("kapacitor_loopback", properties=props, services={"loopback": object()}))


async def test_writing_back_into_its_own_dbrp_is_refused(nursery, plugins):
    kernel = await nursery.start(Kernel(plugins).run)
    props = {"database": [("db",)], "retentionPolicy": [("rp",)]}
    with pytest.raises(TaskError, match=r"loop detected on dbrp: db\.rp"):
        await kernel.start("writer", pipeline(SPEC, props), [("db", "rp")])
