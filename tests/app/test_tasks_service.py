"""The task service on its own (no HTTP), where the clock matters: throughput sampling."""

import trio

from leyden.app.storage import Store
from leyden.app.tasks import TaskService, valid_id
from leyden.kernel import Kernel

SCRIPT = "stream\n  |from().measurement('cpu')\n  |httpOut('last')\n"


async def test_throughput_is_points_per_second_into_the_sources(autojump_clock, plugins, tmp_path):
    store = Store.open(tmp_path / "leyden.db")
    async with trio.open_nursery() as nursery:
        kernel = await nursery.start(Kernel(plugins).run)
        tasks = TaskService(kernel, store)
        await nursery.start(tasks.run)
        body = {"id": "t", "type": "stream", "dbrps": [{"db": "db", "rp": "rp"}], "script": SCRIPT}
        record = await tasks.create_task({**body, "status": "enabled"})
        await trio.sleep(1.5)  # the sampler has seen the task once, with nothing in it
        await kernel.write_lines("".join(f"cpu v={i} {i}\n" for i in range(30)), "db", "rp")
        await trio.sleep(1)
        view = tasks.view(record)
        assert view.stats["task-stats"]["throughput"] == 30.0
        assert 'graph [throughput="30.00 points/s"];' in view.dot
        await trio.sleep(1)
        assert tasks.view(record).stats["task-stats"]["throughput"] == 0.0
        nursery.cancel_scope.cancel()
    store.close()


def test_task_ids_follow_kapacitor():
    assert all(valid_id(i) for i in ("cpu_alert", "a.b-c", "über", "x9"))
    assert not any(valid_id(i) for i in ("", "a b", "a/b", "a*", "tâche!"))
