"""Nanoseconds per point of compiled lambdas (not a test).

* ``where``: ``"value" > 25.0`` through ``selector()`` over 100,000 points in chunks
  of 5,000, the hot path of ``|where()``;
* ``eval``: ``"value" * 2.0 + 1.0`` through ``evaluator()``, one call per point, as
  ``|eval()`` does;
* ``where-and``: a tag test and a field test, ``"host" == 'a' AND "value" < 40.0``;
* ``stateful``: ``sigma("value") > 2.0`` through a selector (per-point path).

    python bench/lambda_bench.py [--points N] [--repeat R]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from leyden.kernel import Point
from leyden.tick.functions import builtin_functions
from leyden.tick.lambdas import compile_lambda
from leyden.tick.parser import parse_lambda

CHUNK = 5_000
FUNCTIONS = {spec.name: spec for spec in builtin_functions()}


def make_points(n: int) -> list[Point]:
    rng = random.Random(42)
    hosts = [{"host": h} for h in "abcd"]
    return [Point("m", hosts[i % 4], {"value": rng.random() * 50.0}, i) for i in range(n)]


def best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter_ns()
        run()
        best = min(best, time.perf_counter_ns() - start)
    return best


def bench_selector(text: str, points: list[Point], repeat: int) -> float:
    select = compile_lambda(parse_lambda(text), functions=FUNCTIONS).selector()
    chunks = [points[i : i + CHUNK] for i in range(0, len(points), CHUNK)]

    def run() -> None:
        for chunk in chunks:
            select(chunk)

    return best_of(repeat, run) / len(points)


def bench_evaluator(text: str, points: list[Point], repeat: int) -> float:
    evaluate = compile_lambda(parse_lambda(text), functions=FUNCTIONS).evaluator()

    def run() -> None:
        for p in points:
            evaluate(p)

    return best_of(repeat, run) / len(points)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    points = make_points(args.points)
    rows = [
        ("where", '"value" > 25.0', bench_selector),
        ("eval", '"value" * 2.0 + 1.0', bench_evaluator),
        ("where-and", '"host" == \'a\' AND "value" < 40.0', bench_selector),
        ("stateful", 'sigma("value") > 2.0', bench_selector),
    ]
    for name, text, bench in rows:
        ns = bench(text, points, args.repeat)
        print(f"{name:10s} {ns:7.1f} ns/point   lambda: {text}")


if __name__ == "__main__":
    main()
