"""In-process throughput and memory of the kernel (not a test).

Measures what the kernel adds on top of the work itself:

* ``throughput``: ``from|where|groupBy|window|count`` over 100 series, points handed
  to the task registry in chunks of 5,000 (no HTTP, no parsing), against a bare
  chunked loop doing the same filtering, grouping and window bookkeeping;
* ``parse``: the same pipeline fed line protocol, parsing included;
* ``memory``: bytes per point held in a window, 1,000,000 points buffered across
  1,000 series (traced with tracemalloc, which counts every Python allocation).

    python bench/pipeline_bench.py [--points N] [--repeat R] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import resource
import time
import tracemalloc
from collections.abc import Awaitable, Callable

import trio
import trio.testing

from leyden.kernel import Kernel, Point, tune_gc

SCRIPT = """
stream
    |from()
        .measurement('m')
    |where(lambda: "value" > 25.0)
    |groupBy('host')
    |window()
        .period(10s)
        .every(10s)
    |count('value')
    |httpOut('out')
"""

HOLD_SCRIPT = """
stream
    |from()
        .measurement('m')
    |groupBy('host')
    |window()
        .period(100000h)
        .every(100000h)
    |count('value')
    |httpOut('out')
"""

CHUNK = 5000
T0 = 1577836800 * 10**9


def make_points(n: int, series: int) -> list[Point]:
    tags = [{"host": f"host{i}", "region": f"r{i % 4}"} for i in range(series)]
    return [
        Point(
            "m",
            tags[i % series],
            {"value": float(i % 100)},
            T0 + (i // series) * 10**9,
            dbrp=("bench", "autogen"),
        )
        for i in range(n)
    ]


def make_lines(n: int, series: int) -> list[str]:
    out = []
    for start in range(0, n, CHUNK):
        out.append(
            "".join(
                f"m,host=host{i % series},region=r{i % series % 4} value={i % 100} "
                f"{1577836800 + i // series}\n"
                for i in range(start, min(n, start + CHUNK))
            )
        )
    return out


def bare_loop(points: list[Point]) -> int:
    """The same work with no kernel: filter, group, window bookkeeping, count."""
    windows: dict[str, list] = {}
    emitted = 0
    period = 10 * 10**9
    for start in range(0, len(points), CHUNK):
        chunk = [p for p in points[start : start + CHUNK] if p.name == "m"]
        chunk = [p for p in chunk if p.fields["value"] > 25.0]
        for p in chunk:
            group = "host=" + p.tags["host"]
            w = windows.get(group)
            if w is None:
                w = windows[group] = [p.time + period, []]
            if p.time >= w[0]:
                emitted += len(w[1])
                w[0] += period
                w[1] = []
            w[1].append(p)
    return emitted


async def run_pipeline(feed: Callable[[Kernel], Awaitable[None]], script: str, repeat_label: str) -> float:
    async with trio.open_nursery() as nursery:
        kernel: Kernel = await nursery.start(Kernel().run)
        await kernel.define("bench", script, [("bench", "autogen")])
        start = time.perf_counter()
        await feed(kernel)
        await trio.testing.wait_all_tasks_blocked()
        elapsed = time.perf_counter() - start
        state = kernel.task("bench")
        if state is None or state.running is None:
            raise SystemExit(f"{repeat_label}: the task failed: {state.error if state else 'gone'}")
        nursery.cancel_scope.cancel()
    return elapsed


def bench_throughput(n: int, repeat: int, profile: bool) -> None:
    points = make_points(n, 100)
    lines = make_lines(n, 100)

    async def feed_points(kernel: Kernel) -> None:
        for i in range(0, len(points), CHUNK):
            await kernel.write_points("bench", "autogen", points[i : i + CHUNK])

    async def feed_lines(kernel: Kernel) -> None:
        for body in lines:
            await kernel.write_lines(body, "bench", "autogen", "s")

    best_bare = min(_timed(lambda: bare_loop(points)) for _ in range(repeat))
    print(f"bare chunked loop        {n / best_bare:>12,.0f} points/s")
    profiler = cProfile.Profile() if profile else None
    for label, feed in (("kernel pipeline", feed_points), ("kernel pipeline + parse", feed_lines)):
        times = []
        for i in range(repeat):
            if profiler and i == repeat - 1 and feed is feed_points:
                profiler.enable()
            times.append(trio.run(run_pipeline, feed, SCRIPT, label))
            if profiler:
                profiler.disable()
        median = sorted(times)[len(times) // 2]
        print(f"{label:<24} {n / min(times):>12,.0f} points/s (best of {repeat}; median {n / median:,.0f})")
    print(f"peak RSS                 {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:>12,.0f} MB")
    if profiler:
        print("\nprofile of the last kernel pipeline run (top 15 by own time):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def bench_memory(n: int) -> None:
    lines = make_lines(n, 1000)

    async def feed(kernel: Kernel) -> None:
        for body in lines:
            await kernel.write_lines(body, "bench", "autogen", "s")

    async def measure() -> float:
        async with trio.open_nursery() as nursery:
            kernel: Kernel = await nursery.start(Kernel().run)
            await kernel.define("bench", HOLD_SCRIPT, [("bench", "autogen")])
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            await feed(kernel)
            await trio.testing.wait_all_tasks_blocked()
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
            tracemalloc.stop()
            nursery.cancel_scope.cancel()
        return held / n

    print(f"memory held in a window {trio.run(measure):>12,.0f} bytes/point ({n:,} points, 1,000 series)")


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    tune_gc()
    bench_throughput(args.points, args.repeat, args.profile)
    if not args.skip_memory:
        bench_memory(1_000_000)


if __name__ == "__main__":
    main()
