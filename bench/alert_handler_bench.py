"""Does a dead alert handler slow the pipeline? (not a test)

Runs the alert scenario of ``../shared/bench`` (100 hosts, info/warn/crit levels,
``stateChangesOnly``, about 70% of points change state) in-process, three ways:

* no handler;
* ``.post()`` to a server that accepts connections and never answers;
* ``.log()`` to a file (a handler that works).

Handlers run off the hot path, from a bounded queue; events that do not fit are
dropped and counted, so the dead receiver must cost the pipeline no more than
building the events does. The kernel runs with the alert service on a sqlite
store, as in the server, so events also go to the node's anonymous topic.

    python bench/alert_handler_bench.py [--points N] [--repeat R]
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import time
from pathlib import Path

import trio
import trio.testing

from leyden.app.alerts import AlertService
from leyden.app.storage import Store
from leyden.kernel import Kernel, tune_gc

T0 = 1577836800
SCRIPT = """
stream
    |from()
        .measurement('al')
        .groupBy('host')
    |alert()
        .id('{{ .Name }}:{{ index .Tags "host" }}')
        .message('{{ .ID }} is {{ .Level }} value={{ index .Fields "value" }}')
        .info(lambda: "value" > 10.0)
        .warn(lambda: "value" > 20.0)
        .crit(lambda: "value" > 30.0)
        .stateChangesOnly()
        .levelField('level')
        HANDLER
    |httpOut('out')
"""


def bodies(points: int, hosts: int = 100) -> list[str]:
    rounds = points // hosts
    lines = [
        f"al,host=h{j:03d} value={(j * 3 + r * 7) % 40 + 0.5} {T0 + r}"
        for r in range(rounds)
        for j in range(hosts)
    ]
    return ["\n".join(lines[i : i + 5000]) for i in range(0, len(lines), 5000)]


async def run(script: str, data: list[str], store: Store) -> tuple[float, dict[str, int]]:
    async with trio.open_nursery() as nursery:
        kernel: Kernel = await nursery.start(Kernel().run)
        kernel.services["alerts"] = await nursery.start(AlertService(kernel.plugins, store, dict).run)
        state = await kernel.define("bench", script, [("bench", "autogen")])
        points = sum(body.count("\n") + 1 for body in data)
        start = time.perf_counter()
        for body in data:
            await kernel.write_lines(body, "bench", "autogen", "s")
        await trio.testing.wait_all_tasks_blocked(cushion=0.001)
        elapsed = time.perf_counter() - start
        if state.running is None:
            raise SystemExit(f"the task failed: {state.error}")
        counters = state.running.statistics("alert2")
        nursery.cancel_scope.cancel()
    return points / elapsed, counters


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tune_gc()
    data = bodies(args.points)
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead.listen(1000)  # accepts into the backlog, never reads, never answers
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "leyden.db")
        variants = {
            "no handler": "",
            "dead .post()": f".post('http://127.0.0.1:{dead.getsockname()[1]}/')",
            "working .log()": f".log('{Path(tmp) / 'alerts.log'}')",
        }
        # Rounds alternate the variants, so that a drift of the machine's speed does
        # not favour one of them; each variant's best round counts.
        scripts = {label: SCRIPT.replace("HANDLER", handler) for label, handler in variants.items()}
        results: dict[str, list[tuple[float, dict[str, int]]]] = {label: [] for label in variants}
        for _ in range(args.repeat):
            for label, script in scripts.items():
                results[label].append(trio.run(run, script, data, store))
        baseline = max(r[0] for r in results["no handler"])
        for label, runs in results.items():
            best, counters = max(runs, key=lambda r: r[0])
            events, dropped = counters.get("alerts_triggered", 0), counters.get("events_dropped", 0)
            # each round's ratio to the run without handlers just before it
            ratios = sorted(r[0] / n[0] for r, n in zip(runs, results["no handler"], strict=True))
            print(
                f"{label:<16} {best:>10,.0f} points/s ({best / baseline:.0%} of no handler, "
                f"median of rounds {ratios[len(ratios) // 2]:.0%}); events {events:,}, dropped {dropped:,}"
            )
        store.close()
    dead.close()


if __name__ == "__main__":
    main()
