"""The batch-alert-* corpus cases, with InfluxDB's part played by the test.

Those cases record and replay batch queries against InfluxDB. Here the test answers
the queries itself, from the case's ``influx.lp`` and by the rules the corpus README
gives (ticks at ``start + every``..., each query covering ``[tick - period, tick)``,
an aggregate's time is the query's start, a selector's the selected point's, every
value a float), feeds the batches to the alert nodes of the case's script, and
compares their ``.log()`` files with what Kapacitor 1.5.0 wrote.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
import trio
import trio.testing
from conformance import CORPUS, compare

from leyden.kernel import Batch, Dimensions, EdgeType, Kernel, Point, parse_time

CASES = CORPUS / "batch-cases"
NAMES = sorted(p.name for p in CASES.glob("batch-alert-*")) if CASES.is_dir() else []
S = 10**9
QUERY = re.compile(
    r"batch\s*\|query\('SELECT (?P<select>.*?) FROM [^']*'\)\s*"
    r"\.period\((?P<period>\d+)s\)\s*\.every\((?P<every>\d+)s\)\s*\.groupBy\('(?P<tag>\w+)'\)"
)


def answer_queries(select: str, period: int, every: int, tag: str, influx: str, start: int, stop: int):
    """The batches a replay of ``SELECT <select> ... GROUP BY <tag>`` hands the task."""
    rows = []
    for line in influx.splitlines():
        series, fields, ts = line.split()
        _, *tags = series.split(",")
        rows.append((dict(t.split("=") for t in tags)[tag], float(fields.split("=")[1]), int(ts) * S))
    aggregate = re.fullmatch(r"(\w+)\(value\) AS (\w+)", select)
    tick = start + every
    while tick <= stop:
        lo = tick - period
        for value in sorted({r[0] for r in rows}):
            window = [(t, v) for g, v, t in rows if g == value and lo <= t < tick]
            if not window:
                continue
            tags = {tag: value}
            if aggregate is None:
                points = [Point("cpu", tags, {"value": v}, t) for t, v in window]
            elif aggregate.group(1) == "mean":
                mean = sum(v for _, v in window) / len(window)
                points = [Point("cpu", tags, {aggregate.group(2): mean}, lo)]
            else:  # max: a selector keeps the time of the point it selects
                t, v = max(window, key=lambda tv: tv[1])
                points = [Point("cpu", tags, {aggregate.group(2): v}, t)]
            group = f"{tag}={value}"
            yield Batch("cpu", tags, points, tick, group=group, dims=Dimensions((tag,)))
        tick += every


@pytest.mark.skipif(not NAMES, reason="conformance corpus not found")
@pytest.mark.parametrize("name", NAMES)
async def test_case(name, plugins, autojump_clock):
    path = CASES / name
    meta = json.loads((path / "case.json").read_text())
    expected = json.loads((path / "expected.json").read_text())
    script = (path / "task.tick").read_text()
    query = QUERY.search(script)
    assert query is not None, "the test understands only this case's query shape"
    with tempfile.TemporaryDirectory() as logdir:
        # the alert chains as written, on a source standing in for the batch query
        stream_script = QUERY.sub("stream", script).replace("{{LOGDIR}}", logdir)
        async with trio.open_nursery() as nursery:
            kernel: Kernel = await nursery.start(Kernel(plugins).run)
            pipeline = kernel.compile(stream_script)
            pipeline.type = EdgeType.BATCH
            for node in pipeline.nodes:
                if not node.parents:
                    node.spec = plugins.nodes["batch"]
                node.edge_in = node.edge_in and EdgeType.BATCH
                node.edge_out = EdgeType.BATCH
            state = await kernel.start("case", pipeline, [("leyden", "autogen")])
            (source,) = state.running.sources
            batches = answer_queries(
                query["select"],
                int(query["period"]) * S,
                int(query["every"]) * S,
                query["tag"],
                (path / "influx.lp").read_text(),
                parse_time(meta["record"]["start"]),
                parse_time(meta["record"]["stop"]),
            )
            for batch in batches:
                await source.send.send((0, [batch]))
                await trio.testing.wait_all_tasks_blocked()
            nursery.cancel_scope.cancel()
        logs = {}
        for log in meta["logs"]:
            text = (Path(logdir) / log).read_text() if (Path(logdir) / log).exists() else ""
            logs[log] = [json.loads(line) for line in text.splitlines()]
    diffs: list[str] = []
    compare(expected["logs"], logs, "$.logs", diffs)
    assert diffs == []
