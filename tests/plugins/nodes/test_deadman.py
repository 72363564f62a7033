"""deadman: stats + derivative + alert on the (mock) wall clock, built by the macro."""

from __future__ import annotations

import trio

from leyden.kernel.testing import open_task

SCRIPT = """
var data = stream
    |from()
        .measurement('cpu')
data
    |deadman(2.0, 10s{condition})
        .levelField('level')
        .messageField('message')
    |httpOut('out')
"""


def last(task):
    row = task.output("out")["series"][0]
    return dict(zip(row["columns"], row["values"][-1], strict=True))


async def test_the_macro_expands_to_kapacitors_nodes(plugins, autojump_clock):
    async with open_task(SCRIPT.format(condition=""), plugins=plugins) as task:
        nodes = [(n.name, n.properties) for n in task.state.pipeline.nodes]
        assert [name for name, _ in nodes] == [
            "stream0",
            "from1",
            "stats2",
            "derivative3",
            "alert4",
            "http_out5",
        ]
        assert nodes[2][1] == {"align": [()]}
        assert nodes[3][1] == {"unit": [(10_000_000_000,)], "nonNegative": [()]}
        alert = task.state.pipeline.nodes[4]
        assert alert.properties["crit"][0][0].text == '"emitted" <= 2.0'
        assert alert.properties["id"] == [("node 'from1' in task '{{ .TaskName }}'",)]


async def test_dead_then_alive_then_dead(plugins, autojump_clock):
    async with open_task(SCRIPT.format(condition=""), plugins=plugins) as task:
        await task.write("cpu value=1 1\n", precision="s")
        await trio.sleep(30)
        await task.settle()
        assert last(task)["level"] == "CRITICAL"
        assert last(task)["message"] == "node 'from1' in task 'test' is dead: 0.000 points/10s."
        await task.write("cpu value=1 1\ncpu value=2 2\ncpu value=3 3\n", precision="s")
        await trio.sleep(10)
        await task.settle()
        assert (last(task)["level"], last(task)["emitted"]) == ("OK", 3.0)
        assert last(task)["message"] == "node 'from1' in task 'test' is alive: 3.000 points/10s."
        await trio.sleep(10)
        await task.settle()
        assert last(task)["level"] == "CRITICAL"


async def test_extra_lambdas_must_hold_too(plugins, autojump_clock):
    async with open_task(SCRIPT.format(condition=', lambda: "emitted" > 100.0'), plugins=plugins) as task:
        alert = task.state.pipeline.nodes[4]
        assert alert.properties["crit"][0][0].text == '"emitted" <= 2.0 AND ("emitted" > 100.0)'
        await trio.sleep(30)
        await task.settle()
        assert task.output("out")["series"] is None  # never critical
