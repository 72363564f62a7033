"""The executor: fused segments, edges between tasks, failure isolation, statistics."""

from __future__ import annotations

import trio

from leyden.kernel import (
    AsyncNode,
    EdgeType,
    Kernel,
    Node,
    NodeSpec,
    Pipeline,
    PipelineNode,
    PluginRegistry,
    Point,
)
from leyden.plugins.nodes import source


class Double(Node):
    def __init__(self, ctx):
        pass

    def process(self, chunk):
        return [p.replace(fields={"value": p.fields["value"] * 2}) for p in chunk]


class Collect(Node):
    def __init__(self, ctx):
        self.seen = []
        ctx.publish_output(ctx.name, lambda: list(self.seen))

    def process(self, chunk):
        self.seen.extend(chunk)
        return chunk


class Explode(Node):
    def __init__(self, ctx):
        pass

    def process(self, chunk):
        raise RuntimeError("boom")


class Merge(AsyncNode):
    """Tags each chunk with the parent it came from, in a task of its own."""

    def __init__(self, ctx):
        pass

    async def run(self, inbox, emit):
        async for port, chunk in inbox:
            await emit([p.replace(tags={"port": str(port)}) for p in chunk])


SPECS = {
    name: NodeSpec(name=name, kind=name, factory=cls)
    for name, cls in {"double": Double, "collect": Collect, "explode": Explode, "merge": Merge}.items()
}


def build(*edges: tuple[str, str]) -> Pipeline:
    """A stream pipeline from ``(parent, child)`` name pairs; names are ``kind`` or ``kindN``."""
    plugins = PluginRegistry.from_modules(source)
    nodes: dict[str, PipelineNode] = {"stream": PipelineNode(0, plugins.nodes["stream"])}
    for parent, child in edges:
        if child not in nodes:
            kind = child.rstrip("0123456789")
            nodes[child] = PipelineNode(len(nodes), SPECS[kind], edge_in=EdgeType.STREAM)
        nodes[parent].children.append(nodes[child])
        nodes[child].parents.append(nodes[parent])
    return Pipeline(list(nodes.values()), EdgeType.STREAM)


def points(*values: float) -> list[Point]:
    return [Point("m", {}, {"value": v}, i) for i, v in enumerate(values)]


async def started_kernel(nursery) -> Kernel:
    return await nursery.start(Kernel(PluginRegistry.from_modules(source)).run)


async def test_fused_chain_and_fan_out():
    async with trio.open_nursery() as nursery:
        kernel = await started_kernel(nursery)
        pipeline = build(("stream", "double"), ("double", "collect"), ("stream", "collect2"))
        state = await kernel.start("t", pipeline, [("db", "rp")])
        assert len(state.running.segments) == 1  # stream, double and both collects share one task
        await kernel.write_points("db", "rp", points(1.0, 2.0))
        await kernel.write_points("other", "rp", points(5.0))
        await trio.testing.wait_all_tasks_blocked()
        assert [p.fields["value"] for p in kernel.output("t", "collect2")] == [2.0, 4.0]
        assert [p.fields["value"] for p in kernel.output("t", "collect3")] == [1.0, 2.0]
        stats = state.running.stats
        assert (stats["double1"].collected, stats["double1"].emitted) == (2, 2)
        nursery.cancel_scope.cancel()


async def test_multi_parent_node_runs_in_its_own_task():
    async with trio.open_nursery() as nursery:
        kernel = await started_kernel(nursery)
        pipeline = build(("stream", "double"), ("double", "merge"), ("stream", "merge"), ("merge", "collect"))
        state = await kernel.start("t", pipeline, [("db", "rp")])
        assert set(state.running.segments) == {"stream0", "merge2"}
        await kernel.write_points("db", "rp", points(3.0))
        await trio.testing.wait_all_tasks_blocked()
        got = sorted((p.tags["port"], p.fields["value"]) for p in kernel.output("t", "collect3"))
        assert got == [("0", 6.0), ("1", 3.0)]
        nursery.cancel_scope.cancel()


async def test_failing_task_stops_alone_with_its_error():
    async with trio.open_nursery() as nursery:
        kernel = await started_kernel(nursery)
        bad = await kernel.start("bad", build(("stream", "explode")), [("db", "rp")])
        good = await kernel.start("good", build(("stream", "collect")), [("db", "rp")])
        await kernel.write_points("db", "rp", points(1.0))
        await trio.testing.wait_all_tasks_blocked()
        assert not bad.executing
        assert bad.error == "explode1: boom"
        await kernel.write_points("db", "rp", points(2.0))
        await trio.testing.wait_all_tasks_blocked()
        assert good.executing
        assert [p.fields["value"] for p in kernel.output("good", "collect1")] == [1.0, 2.0]
        nursery.cancel_scope.cancel()


async def test_stop_removes_routes_and_outputs():
    async with trio.open_nursery() as nursery:
        kernel = await started_kernel(nursery)
        await kernel.start("t", build(("stream", "collect")), [("db", "rp")])
        assert kernel.registry.wants("db", "rp")
        await kernel.stop("t")
        assert not kernel.registry.wants("db", "rp")
        assert kernel.output("t", "collect1") is None
        nursery.cancel_scope.cancel()


async def test_edges_are_bounded(autojump_clock):
    """A stuck node makes writers wait instead of buffering without limit."""
    gate = trio.Event()

    class Stuck(AsyncNode):
        def __init__(self, ctx):
            pass

        async def run(self, inbox, emit):
            await gate.wait()
            async for _ in inbox:
                pass

    SPECS["stuck"] = NodeSpec(name="stuck", kind="stuck", factory=Stuck)
    async with trio.open_nursery() as nursery:
        kernel = await started_kernel(nursery)
        await kernel.start("t", build(("stream", "stuck")), [("db", "rp")])
        written = 0
        with trio.move_on_after(10):
            for _ in range(1000):
                await kernel.write_points("db", "rp", points(1.0))
                written += 1
        assert written < 100
        gate.set()
        nursery.cancel_scope.cancel()


async def test_the_end_of_input_travels_down_the_graph():
    """When a source ends (a replay runs out), each segment finishes what it holds
    and closes its edges, so the segments below end too, in order."""
    ended = []

    class HoldUntilEnd(AsyncNode):
        def __init__(self, ctx):
            self.name = ctx.name

        async def run(self, inbox, emit):
            held = [p async for _port, chunk in inbox for p in chunk]
            await emit(held)
            ended.append(self.name)

    SPECS["hold"] = NodeSpec(name="hold", kind="hold", factory=HoldUntilEnd)
    async with trio.open_nursery() as nursery:
        kernel = await started_kernel(nursery)
        pipeline = build(("stream", "hold"), ("hold", "double"), ("double", "hold3"), ("hold3", "collect"))
        state = await kernel.start("t", pipeline, [("db", "rp")])
        await kernel.write_points("db", "rp", points(1.0, 2.0))
        await trio.testing.wait_all_tasks_blocked()
        assert kernel.output("t", "collect4") == [] and ended == []
        collector = state.running.instances["collect4"]
        state.running.segments["stream0"].send.close()
        await trio.testing.wait_all_tasks_blocked()
        assert ended == ["hold1", "hold3"]
        assert [p.fields["value"] for p in collector.seen] == [2.0, 4.0]
        assert not state.executing and state.error == ""  # the task ran to its end
        nursery.cancel_scope.cancel()
