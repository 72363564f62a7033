"""Run conformance corpus cases in-process (a helper for tests, not a test module).

The corpus in ``../shared/conformance/cases`` records what Kapacitor 1.5.0 answered
for each script and input. Its ``run.py`` drives a server over HTTP; this module does
the same work against an in-process :class:`~leyden.kernel.Kernel`, so a node's
tests can check it against Kapacitor without starting a server:

* ``{{LOGDIR}}`` and ``{{CASEDIR}}`` are substituted in the script;
* the task is defined with the case's dbrps (none when the script declares them);
* ``data.lp`` is written request by request (``#!write db= rp= precision=`` lines
  start a request), and the kernel settles after each one;
* the ``httpOut`` endpoints and alert log files are read and compared with
  ``expected.json`` by the corpus rules: dict keys exactly, lists in order, numbers
  numerically (relative tolerance 1e-9), everything else exactly.

Use it from a test running under pytest-trio's ``autojump_clock``::

    @pytest.mark.parametrize("name", case_names("window-"))
    async def test_case(name, plugins, autojump_clock):
        assert await run_case(load_case(name), plugins) == []
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trio
import trio.testing

from leyden.kernel import Kernel, LeydenError, PluginRegistry

#: Where the corpus lives: ``$LEYDEN_CONFORMANCE`` or ``../shared/conformance``.
CORPUS = Path(
    os.environ.get("LEYDEN_CONFORMANCE", Path(__file__).resolve().parents[2] / "shared" / "conformance")
)
CASES = CORPUS / "cases"

REL_TOL = 1e-9
ABS_TOL = 1e-12


@dataclass(frozen=True)
class Case:
    """One corpus case as stored on disk."""

    name: str
    path: Path
    meta: dict[str, Any]
    script: str
    data: str
    expected: dict[str, Any]


@dataclass(frozen=True)
class Write:
    """One write request of a case's ``data.lp``."""

    db: str
    rp: str
    precision: str
    lines: tuple[str, ...]


def case_names(*prefixes: str) -> list[str]:
    """The names of the stream cases starting with any of ``prefixes``, sorted."""
    if not CASES.is_dir():
        return []
    return sorted(p.name for p in CASES.iterdir() if p.is_dir() and p.name.startswith(prefixes))


def load_case(name: str) -> Case:
    path = CASES / name
    meta = json.loads((path / "case.json").read_text(encoding="utf-8"))
    data_path = path / "data.lp"
    return Case(
        name=name,
        path=path,
        meta=meta,
        script=(path / "task.tick").read_text(encoding="utf-8"),
        data=data_path.read_text(encoding="utf-8") if data_path.exists() else "",
        expected=json.loads((path / "expected.json").read_text(encoding="utf-8")),
    )


def split_writes(case: Case) -> list[Write]:
    """The write requests of ``data.lp``: ``#!write`` lines start one and override the
    defaults (the case's first dbrp and precision); other ``#`` lines are comments."""
    dbrps = case.meta.get("dbrps") or [{"db": "leyden", "rp": "autogen"}]
    defaults = {"db": dbrps[0]["db"], "rp": dbrps[0]["rp"], "precision": case.meta.get("precision", "s")}
    requests: list[tuple[dict[str, str], list[str]]] = []
    for raw in case.data.splitlines():
        line = raw.strip()
        if line.startswith("#!write"):
            settings = dict(defaults)
            for token in line[len("#!write") :].split():
                key, sep, value = token.partition("=")
                if sep:
                    settings[key] = value
            requests.append((settings, []))
        elif line and not line.startswith("#"):
            if not requests:
                requests.append((dict(defaults), []))
            requests[-1][1].append(line)
    return [Write(s["db"], s["rp"], s["precision"], tuple(lines)) for s, lines in requests if lines]


async def run_case(case: Case, plugins: PluginRegistry) -> list[str]:
    """Run ``case`` on a fresh in-process kernel; the differences from the expected
    answer (an empty list when the case passes)."""
    with tempfile.TemporaryDirectory(prefix="conf-log-") as logdir:
        script = case.script.replace("{{LOGDIR}}", logdir).replace("{{CASEDIR}}", str(case.path))
        dbrps = [(d["db"], d["rp"]) for d in case.meta.get("dbrps") or []]
        async with trio.open_nursery() as nursery:
            kernel: Kernel = await nursery.start(Kernel(plugins).run)
            task_id = f"conf-{case.name}"
            try:
                await kernel.define(task_id, script, dbrps or None)
            except LeydenError as err:
                nursery.cancel_scope.cancel()
                if case.meta.get("expect_error"):
                    return []
                return [f"task creation failed: {err}"]
            if case.meta.get("expect_error"):
                nursery.cancel_scope.cancel()
                return ["expected the task to be rejected, it was accepted"]
            for write in split_writes(case):
                body = "\n".join(write.lines) + "\n"
                errors = (await kernel.write_lines(body, write.db, write.rp, write.precision)).errors
                if errors:
                    nursery.cancel_scope.cancel()
                    return [f"write failed: {errors[0]}"]
                await trio.testing.wait_all_tasks_blocked()
            actual = _read_outputs(kernel, task_id, case, Path(logdir))
            nursery.cancel_scope.cancel()
    diffs: list[str] = []
    compare(case.expected, actual, "$", diffs)
    return diffs


def _read_outputs(kernel: Kernel, task_id: str, case: Case, logdir: Path) -> dict[str, Any]:
    endpoints: dict[str, Any] = {}
    for name in case.meta.get("endpoints", []):
        # A round trip through JSON gives the document a client sees.
        document = kernel.output(task_id, name)
        if document is None:
            state = kernel.task(task_id)
            error = state.error if state is not None else "no such task"
            endpoints[name] = {"http_status": 404, "body": {"error": error or f"no output {name}"}}
        else:
            endpoints[name] = json.loads(json.dumps(document))
    actual: dict[str, Any] = {"endpoints": endpoints}
    if case.meta.get("logs"):
        actual["logs"] = {name: _read_log(logdir / name) for name in case.meta["logs"]}
    return actual


def _read_log(path: Path) -> list[Any]:
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                entries.append(json.loads(line))
            except ValueError:
                entries.append({"unparsable": line})
    return entries


def compare(expected: Any, actual: Any, path: str, diffs: list[str], limit: int = 12) -> None:
    """Append to ``diffs`` where ``actual`` departs from ``expected`` (corpus rules)."""
    if len(diffs) >= limit:
        return
    if _is_number(expected) and _is_number(actual):
        if isinstance(expected, float) or isinstance(actual, float):
            same = math.isclose(expected, actual, rel_tol=REL_TOL, abs_tol=ABS_TOL)
        else:
            same = expected == actual
        if not same:
            diffs.append(f"{path}: expected {expected!r}, got {actual!r}")
    elif type(expected) is not type(actual):
        diffs.append(f"{path}: expected {_short(expected)}, got {_short(actual)}")
    elif isinstance(expected, dict):
        for key in expected:
            if key not in actual:
                diffs.append(f"{path}: missing key {key!r} (expected {_short(expected[key])})")
            else:
                compare(expected[key], actual[key], f"{path}.{key}", diffs, limit)
        diffs.extend(
            f"{path}: unexpected key {key!r} = {_short(actual[key])}" for key in actual if key not in expected
        )
    elif isinstance(expected, list):
        if len(expected) != len(actual):
            diffs.append(f"{path}: expected {len(expected)} items, got {len(actual)}")
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            compare(e, a, f"{path}[{i}]", diffs, limit)
    elif expected != actual:
        diffs.append(f"{path}: expected {_short(expected)}, got {_short(actual)}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _short(value: Any, width: int = 160) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= width else text[: width - 3] + "..."
