"""Does a dead alert handler slow the pipeline? (not a test)

Runs the alert scenario of ``../shared/bench`` (100 hosts, info/warn/crit levels,
``stateChangesOnly``, about 70% of points change state) three ways:

* no handler;
* ``.post()`` to a server that accepts connections and never answers;
* ``.log()`` to a file (a handler that works).

Handlers run off the hot path, from a bounded queue; events that do not fit are
dropped and counted, so the dead receiver must cost the pipeline no more than
building the events does. In-process, the kernel runs with the alert service on a
sqlite store, as in the server, so events also go to the node's anonymous topic.
With ``--url`` the same tasks run on a server, over HTTP: each run ends when every
host's last point (the only CRITICAL one) has reached the task's ``httpOut``.

    python bench/alert_handler_bench.py [--points N] [--repeat R] [--url URL]
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import trio
import trio.testing

from leyden.app.alerts import AlertService
from leyden.app.storage import Store
from leyden.kernel import Kernel, tune_gc

T0 = 1577836800
HOSTS = 100
LAST_VALUE = 99.5  # critical, and only in the last round
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

Run = Callable[[str, str], tuple[float, dict[str, int]]]


def bodies(points: int) -> list[str]:
    """Write bodies of 5,000 lines; the last two rounds are OK, then CRITICAL."""
    rounds = max(3, points // HOSTS)
    lines = []
    for r in range(rounds):
        for j in range(HOSTS):
            value = LAST_VALUE if r == rounds - 1 else 0.5 if r == rounds - 2 else (j * 3 + r * 7) % 40 + 0.5
            lines.append(f"al,host=h{j:03d} value={value} {T0 + r}")
    return ["\n".join(lines[i : i + 5000]) for i in range(0, len(lines), 5000)]


def in_process(data: list[str], store: Store) -> Run:
    def run(task_id: str, script: str) -> tuple[float, dict[str, int]]:
        return trio.run(_run_in_process, script, data, store)

    return run


async def _run_in_process(script: str, data: list[str], store: Store) -> tuple[float, dict[str, int]]:
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


def over_http(url: str, data: list[str]) -> Run:
    """Runs on the server at ``url``: define, write, wait for the last points, delete."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 9092, timeout=60)
    encoded = [body.encode() + b"\n" for body in data]
    points = sum(body.count("\n") + 1 for body in data)

    def call(method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()

    def run(task_id: str, script: str) -> tuple[float, dict[str, int]]:
        dbrps = [{"db": "bench", "rp": "autogen"}]
        task = {"id": task_id, "type": "stream", "status": "enabled", "dbrps": dbrps, "script": script}
        status, answer = call("POST", "/kapacitor/v1/tasks", json.dumps(task).encode())
        if status != 200:
            raise SystemExit(f"cannot define the task: {answer.decode()}")
        start = time.perf_counter()
        for body in encoded:
            status, answer = call("POST", "/kapacitor/v1/write?db=bench&rp=autogen&precision=s", body)
            if status != 204:
                raise SystemExit(f"write failed: {answer.decode()}")
        delay = 0.002
        while not _complete(call("GET", f"/kapacitor/v1/tasks/{task_id}/out")):
            time.sleep(delay)
            delay = min(delay * 2, 0.02)
        elapsed = time.perf_counter() - start
        status, answer = call("GET", f"/kapacitor/v1/tasks/{task_id}")
        counters = _alert_counters(json.loads(answer).get("dot", ""))
        call("DELETE", f"/kapacitor/v1/tasks/{task_id}")
        return points / elapsed, counters

    return run


def _complete(answer: tuple[int, bytes]) -> bool:
    status, body = answer
    if status != 200:
        return False
    series = json.loads(body).get("series") or []
    last = [row["values"][-1][row["columns"].index("value")] for row in series]
    return len(last) == HOSTS and all(value == LAST_VALUE for value in last)


def _alert_counters(dot: str) -> dict[str, int]:
    """The alert node's counters from the task's DOT graph."""
    line = next((line for line in dot.splitlines() if line.strip().startswith("alert2 [")), "")
    counters = {}
    for item in line.partition("[")[2].rstrip("];").split(" "):
        key, _, value = item.partition("=")
        if value.strip('"').isdigit():
            counters[key] = int(value.strip('"'))
    return counters


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--url", help="a running server to drive over HTTP instead")
    args = parser.parse_args()
    tune_gc()
    data = bodies(args.points)
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead.listen(1000)  # accepts into the backlog, never reads, never answers
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "leyden.db")
        run = over_http(args.url, data) if args.url else in_process(data, store)
        variants = {
            "no handler": "",
            "dead .post()": f".post('http://127.0.0.1:{dead.getsockname()[1]}/')",
            "working .log()": f".log('{Path(tmp) / 'alerts.log'}')",
        }
        # Rounds alternate the variants, so that a drift of the machine's speed does
        # not favour one of them; each variant's best round counts.
        scripts = {label: SCRIPT.replace("HANDLER", handler) for label, handler in variants.items()}
        results: dict[str, list[tuple[float, dict[str, int]]]] = {label: [] for label in variants}
        for round_ in range(args.repeat):
            for n, (label, script) in enumerate(scripts.items()):
                results[label].append(run(f"bench-handler-{round_}-{n}", script))
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
