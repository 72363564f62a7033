"""deadman: stats + derivative + alert on the (mock) wall clock, built by the macro."""

from __future__ import annotations

import pytest
import trio

from leyden.kernel import TickError
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


async def test_id_and_message_come_from_the_deadman_section(plugins, autojump_clock):
    config = {
        "deadman": {
            "id": "{{ .TaskName }}/NODE_NAME",
            "message": '{{ .ID }} saw {{ index .Fields "emitted" }} in INTERVAL',
        }
    }
    script = SCRIPT.format(condition="").replace("10s", "1m")
    async with open_task(script, plugins=plugins, services={"config": config}) as task:
        await trio.sleep(120)
        await task.settle()
        assert last(task)["message"] == "test/from1 saw 0 in 1m0s"


async def test_global_deadman_watches_every_tasks_source(plugins, autojump_clock):
    config = {"deadman": {"global": True, "threshold": 1, "interval": "1m30s"}}
    script = "stream\n    |from()\n        .measurement('cpu')\n    |httpOut('out')\n"
    async with open_task(script, plugins=plugins, services={"config": config}) as task:
        nodes = task.state.pipeline.nodes
        assert [n.name for n in nodes] == [
            "stream0",
            "from1",
            "http_out2",
            "stats3",
            "derivative4",
            "alert5",
        ]
        assert nodes[3].parents == [nodes[0]] and nodes[3].args == (90_000_000_000,)
        assert nodes[5].properties["crit"][0][0].text == '"emitted" <= 1.0'
        assert nodes[5].properties["id"] == [("node 'stream0' in task '{{ .TaskName }}'",)]


async def test_a_bad_global_deadman_section_is_a_script_error(plugins):
    config = {"deadman": {"global": True, "interval": "ten seconds"}}
    with pytest.raises(TickError, match="invalid \\[deadman\\] configuration"):
        async with open_task("stream|from()", plugins=plugins, services={"config": config}):
            pass
