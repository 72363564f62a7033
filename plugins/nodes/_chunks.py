"""Chunk helpers for nodes whose work is a list operation over points.

Most chunks hold only points; control messages (barriers, delete-groups) are rare.
A node checks that cheaply once per chunk and then runs its list comprehension over
the whole chunk, or over each run of points between control messages.
"""

from __future__ import annotations

from collections.abc import Callable

from leyden.kernel import Chunk, Message, Point


def only_points(chunk: Chunk) -> bool:
    """Whether every message of a non-empty chunk is a point (a C-speed type scan)."""
    kinds = set(map(type, chunk))
    return len(kinds) == 1 and Point in kinds


def map_point_runs(chunk: Chunk, transform: Callable[[list[Point]], list[Message]]) -> list[Message]:
    """``transform`` each run of consecutive points; other messages pass in order."""
    out: list[Message] = []
    run: list[Point] = []
    for msg in chunk:
        if type(msg) is Point:
            run.append(msg)
            continue
        if run:
            out.extend(transform(run))
            run = []
        out.append(msg)
    if run:
        out.extend(transform(run))
    return out
