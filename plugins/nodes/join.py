"""``|join()``: pair up the points (or batches) of several parents by time.

Each parent contributes at most one message to a joined set; a set's fields are the
parents' fields prefixed with their ``.as()`` names. Times are rounded to the
``.tolerance()`` first, so points a little apart still meet::

    var errors = stream
        |from()
            .measurement('errors')
            .groupBy('host')
    var requests = stream
        |from()
            .measurement('requests')
            .groupBy('host')
    errors
        |join(requests)
            .as('errors', 'requests')
            .tolerance(1s)
            .fill(0.0)
        |eval(lambda: "errors.value" / "requests.value")
            .as('rate')

The emission rule is Kapacitor's, quirks included, because users see it: per group,
only the sets at the oldest buffered time may go out. A complete set there is emitted
at once; incomplete ones wait until every parent has moved past that time, and are
then dropped (inner join) or filled (``.fill``). Complete sets at later times wait
for the next message of the group, which is why Kapacitor "holds matched sets back".

``.on(tags...)`` joins on a subset of the group-by tags: one point of a less
specific parent (grouped by ``dc``) joins every more specific point (grouped by
``dc`` and ``host``) of the same time, and the joined set takes the specific tags.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import Any

import trio

from leyden.kernel import (
    AsyncNode,
    Barrier,
    Batch,
    Chunk,
    Dimensions,
    EdgeType,
    Emit,
    GroupID,
    Message,
    NodeContext,
    NodeSpec,
    Point,
    PropertySpec,
    ValueType,
    hookimpl,
    params,
)

from ._gotime import round_half_up

#: Go's zero time: before every point, and what a parent's head is until it reports.
_ZERO = -(1 << 63) - 1

#: How ``.fill()`` completes a set that misses a parent.
_INNER, _NULL, _NUMBER = "none", "null", "number"


class _Prefixed(dict[str, str]):
    """``prefix + name`` for every field name, computed on first use."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def __missing__(self, name: str) -> str:
        if len(self) > 10_000:  # field names are few; never let odd data grow this
            self.clear()
        joined = self[name] = self.prefix + name
        return joined


def _group_tags(msg: Point | Batch) -> dict[str, str]:
    """The tags a message's group is made of (Kapacitor's ``GroupInfo().Tags``)."""
    if type(msg) is Batch:
        return msg.tags
    return msg.dims.group_tags(msg.tags) if msg.dims.tag_names else {}


class _JoinSet:
    """At most one message per parent, all at the same rounded time."""

    __slots__ = ("first", "size", "time", "values")

    def __init__(self, time: int, parents: int) -> None:
        self.time = time
        self.values: list[Point | Batch | None] = [None] * parents
        self.size = 0
        self.first = parents

    def put(self, src: int, msg: Point | Batch) -> None:
        if src < self.first:
            self.first = src
        self.values[src] = msg
        self.size += 1


class _JoinGroup:
    """The buffered sets of one group and how far each parent has got.

    A two-parent join in step (one parent ahead, the other catching up in time
    order, as chunked parents are) keeps the leading parent's points in ``run``, a
    queue in time order, instead of a set each: see :meth:`JoinNode._collect_points`.
    The run and ``sets`` are never both non-empty.
    """

    __slots__ = ("heads", "leader", "oldest", "run", "sets", "times")

    def __init__(self, parents: int) -> None:
        self.sets: dict[int, list[_JoinSet]] = {}
        self.times: list[int] = []  # heap of the keys of ``sets``, stale entries allowed
        self.heads = [_ZERO] * parents
        self.oldest = _ZERO
        self.run: deque[tuple[int, Point]] = deque()
        self.leader = 0

    def unrun(self, parents: int) -> None:
        """Turn the run into the sets it stands for."""
        if not self.sets:
            self.times.clear()
        for t, msg in self.run:
            js = _JoinSet(t, parents)
            js.put(self.leader, msg)
            self.sets[t] = [js]
            heapq.heappush(self.times, t)
        self.run.clear()

    def collect(self, node: JoinNode, src: int, t: int, msg: Point | Batch, out: list[Message]) -> None:
        if self.run:
            self.unrun(node.parents)
        oldest = self.oldest
        if oldest == _ZERO or t < oldest:
            self.oldest = oldest = t
        queue = self.sets.get(t)
        if queue is None:
            js = _JoinSet(t, node.parents)
            self.sets[t] = [js]
            heapq.heappush(self.times, t)
        else:
            for js in queue:
                if js.values[src] is None:
                    break
            else:
                js = _JoinSet(t, node.parents)
                queue.append(js)
        js.put(src, msg)
        heads = self.heads
        heads[src] = t
        self.emit(node, min(heads) <= oldest, out)

    def barrier(self, node: JoinNode, src: int, t: int, out: list[Message]) -> None:
        if self.run:
            self.unrun(node.parents)
        if self.oldest == _ZERO or t < self.oldest:
            self.oldest = t
        self.heads[src] = t
        self.emit(node, min(self.heads) <= self.oldest, out)

    def emit(self, node: JoinNode, only_ready: bool, out: list[Message]) -> None:
        """Emit at the oldest time: complete sets only while some parent has not
        moved past it (``only_ready``), else every set there, then look again."""
        expected = node.parents
        sets = self.sets
        while sets:
            oldest = self.oldest
            queue = sets.get(oldest)
            if queue is not None:
                done = 0
                for js in queue:
                    if only_ready and js.size != expected:
                        break
                    joined = node.join(js)
                    if joined is not None:
                        out.append(joined)
                    done += 1
                if done == len(queue):
                    del sets[oldest]
                elif done:
                    del queue[:done]
                elif only_ready:
                    return  # nothing could go: the oldest time stays
            self.oldest = self._next_time()
            if only_ready:
                return
            only_ready = min(self.heads) <= self.oldest

    def emit_all(self, node: JoinNode, out: list[Message]) -> None:
        if self.run:
            self.unrun(node.parents)
        while self.sets:
            self.emit(node, False, out)

    def _next_time(self) -> int:
        times, sets = self.times, self.sets
        while times and times[0] not in sets:
            heapq.heappop(times)
        return times[0] if times else _ZERO


class JoinNode(AsyncNode):
    """Joins the messages of its parents; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        self.parents = len(ctx.parent_names)
        calls = ctx.calls("as")
        names = [str(n) for n in calls[-1]] if calls else []
        self.delimiter: str = ctx.prop("delimiter", ".")
        _check_names(names, self.parents, self.delimiter)
        self.prefixes = [name + self.delimiter for name in names]
        #: Per parent, field name -> prefixed name, made once per name, not per point.
        self.prefixed = [_Prefixed(prefix) for prefix in self.prefixes]
        self.tolerance: int = ctx.prop("tolerance", 0)
        self.stream_name: str = ctx.prop("streamName", "")
        self.delete_all = ctx.flag("deleteAll")
        self.fill, self.fill_value = _parse_fill(ctx.prop("fill"))
        on = ctx.calls("on")
        self.on: tuple[str, ...] = tuple(str(t) for t in on[-1]) if on else ()
        self.on_dims = (Dimensions(self.on, False), Dimensions(self.on, True))
        self.batches = ctx.edge_out is EdgeType.BATCH
        #: Whether groups may keep runs (see _collect_points).
        self.runs = self.parents == 2 and not self.on and not self.batches
        self.groups: dict[GroupID, _JoinGroup] = {}
        # for .on(): low marks per (parent, on-group) and the points waiting for a match
        self.low_marks: dict[tuple[int, GroupID], int] = {}
        self.match_buffers: dict[GroupID, deque[tuple[int, Point | Batch]]] = {}
        self.specific_buffers: dict[GroupID, deque[tuple[int, Point | Batch]]] = {}
        self.reported: set[int] = set()
        self.all_reported = False

    def cardinality(self) -> int:
        return len(self.groups)

    async def run(self, inbox: trio.MemoryReceiveChannel[tuple[int, Chunk]], emit: Emit) -> None:
        receive = self.receive
        async for src, chunk in inbox:
            out: list[Message] = []
            if self.runs:
                self._collect_points(src, chunk, out)
            else:
                for msg in chunk:
                    receive(src, msg, out)
            if out:
                await emit(out)
        out = []
        for group in self.groups.values():
            group.emit_all(self, out)
        await emit(out)

    def receive(self, src: int, msg: Message, out: list[Message]) -> None:
        kind = type(msg)
        if kind is Point or kind is Batch:
            if self.on:
                self._match(src, msg, out)  # type: ignore[arg-type]
            else:
                t = msg.time  # type: ignore[union-attr]
                if self.tolerance:
                    t = round_half_up(t, self.tolerance)
                group = self.groups.get(msg.group)
                if group is None:
                    group = self._group(msg.group)
                group.collect(self, src, t, msg, out)  # type: ignore[arg-type]
        elif kind is Barrier:
            t = round_half_up(msg.time, self.tolerance)  # type: ignore[union-attr]
            self._group(msg.group).barrier(self, src, t, out)
            out.append(msg)
        else:
            self._delete(src, msg.group)
            out.append(msg)

    def _collect_points(self, src: int, chunk: Chunk, out: list[Message]) -> None:
        """:meth:`receive` for the chunk of one parent of a two-parent join.

        Three steps of the general rule have shortcuts, the steps of two parents in
        step: a point that starts a group's sets, a point of the leading parent
        later than all its buffered ones (an incomplete set that nothing emits), and
        a point of the other parent at the oldest buffered time (a complete set,
        emitted at once). The general rule is followed exactly, so anything else
        turns the run into sets and takes the general path.
        """
        groups = self.groups
        tol = self.tolerance
        for msg in chunk:
            if type(msg) is not Point:
                self.receive(src, msg, out)
                continue
            t = msg.time
            if tol:
                t = round_half_up(t, tol)
            group = groups.get(msg.group)
            if group is None:
                group = self._group(msg.group)
            if not group.sets:
                run = group.run
                if not run:  # whatever the oldest time was (a barrier's), it is t now
                    group.oldest = t
                    group.heads[src] = t
                    group.leader = src
                    run.append((t, msg))
                    continue
                elif src == group.leader:
                    heads = group.heads
                    if t > run[-1][0] and heads[1 - src] <= group.oldest:
                        heads[src] = t
                        run.append((t, msg))
                        continue
                elif t == group.oldest:
                    group.heads[src] = t
                    leading = run.popleft()[1]
                    group.oldest = run[0][0] if run else _ZERO
                    out.append(self.join_pair(t, leading, msg) if src else self.join_pair(t, msg, leading))
                    continue
            group.collect(self, src, t, msg, out)

    def _group(self, gid: GroupID) -> _JoinGroup:
        group = self.groups.get(gid)
        if group is None:
            group = self.groups[gid] = _JoinGroup(self.parents)
        return group

    def _delete(self, src: int, gid: GroupID) -> None:
        self.groups.pop(gid, None)
        self.match_buffers.pop(gid, None)
        self.specific_buffers.pop(gid, None)
        if self.delete_all:
            self.low_marks.clear()
        else:
            self.low_marks.pop((src, gid), None)

    # -- .on(): matching less specific messages with more specific ones -------------

    def _match(self, src: int, msg: Point | Batch, out: list[Message]) -> None:
        """Kapacitor's matching of points with more group tags than ``.on()`` names
        (specific) to those with exactly these (match points), as they arrive."""
        if not self.all_reported:
            self.reported.add(src)
            self.all_reported = len(self.reported) == self.parents
        tol = self.tolerance
        t = round_half_up(msg.time, tol)
        gid = self.on_dims[msg.dims.by_name].group_id(msg.name, _group_tags(msg))
        self.low_marks[(src, gid)] = t
        low = _ZERO
        if self.all_reported:
            for s in range(self.parents):
                mark = self.low_marks.get((s, gid), _ZERO)
                if low == _ZERO or mark < low:
                    low = mark
            specific = self.specific_buffers.get(gid)
            while specific and round_half_up(specific[0][1].time, tol) < low:
                self._collect(*specific.popleft(), out)

        if len(msg.dims.tag_names) > len(self.on):
            matched = self._pair_with_matches(src, msg, t, low, gid, out)
            if not matched:
                if self.all_reported and t < low:
                    self._collect(src, msg, out)
                else:
                    self.specific_buffers.setdefault(gid, deque()).append((src, msg))
        else:
            self.match_buffers.setdefault(gid, deque()).append((src, msg))
            specific = self.specific_buffers.get(gid)
            while specific and round_half_up(specific[0][1].time, tol) == t:
                spec_src, spec = specific.popleft()
                self._send_match(spec_src, spec, src, msg, out)

    def _pair_with_matches(
        self, src: int, msg: Point | Batch, t: int, low: int, gid: GroupID, out: list[Message]
    ) -> bool:
        """Join a specific message with the buffered match points of its time; once
        every parent has reported, forget the match points older than the low mark."""
        matches = self.match_buffers.get(gid)
        if not matches:
            return False
        matched = False
        stale = 0
        for match_src, match in matches:
            mt = round_half_up(match.time, self.tolerance)
            if mt == t:
                self._send_match(src, msg, match_src, match, out)
                matched = True
            if mt >= low:
                break
            stale += 1
        if self.all_reported:
            for _ in range(stale):
                matches.popleft()
        return matched

    def _send_match(
        self, src: int, specific: Point | Batch, match_src: int, match: Point | Batch, out: list[Message]
    ) -> None:
        """Collect a specific message, and the match under the specific group."""
        tags = _group_tags(specific)
        if type(match) is Batch:
            copy: Point | Batch = match.replace(tags=tags)
        else:
            copy = Point(
                match.name,
                tags,
                match.fields,
                match.time,
                dbrp=match.dbrp,  # type: ignore[union-attr]
                group=specific.dims.group_id(match.name, tags),
                dims=specific.dims,
            )
        group = self._group(specific.group)
        tol = self.tolerance
        group.collect(self, src, round_half_up(specific.time, tol), specific, out)
        group.collect(self, match_src, round_half_up(copy.time, tol), copy, out)

    def _collect(self, src: int, msg: Point | Batch, out: list[Message]) -> None:
        self._group(msg.group).collect(self, src, round_half_up(msg.time, self.tolerance), msg, out)

    # -- building the joined message --------------------------------------------------

    def join(self, js: _JoinSet) -> Message | None:
        """The joined point or batch of a set, or None when an inner join lacks a parent."""
        if self.batches:
            return self._join_batches(js)
        if js.size != self.parents and self.fill == _INNER:
            return None
        return self.join_points(js.time, js.values, js.values[js.first])  # type: ignore[arg-type]

    def join_pair(self, time: int, first: Point, second: Point) -> Point:
        """:meth:`join_points` of a complete pair, the most common join."""
        first_names, second_names = self.prefixed
        fields = {}  # loops: a comprehension costs a frame of its own, per pair
        for key, v in first.fields.items():
            fields[first_names[key]] = v
        for key, v in second.fields.items():
            fields[second_names[key]] = v
        dims = first.dims
        tags = dims.group_tags(first.tags) if dims.tag_names else {}
        return Point(self.stream_name or first.name, tags, fields, time, None, first.group, dims)

    def join_points(self, time: int, values: list[Point | None], first: Point) -> Point:
        """The joined point of one point per parent (None: missing, filled)."""
        fields: dict[str, Any] = {}
        for names, value in zip(self.prefixed, values, strict=False):  # both one per parent
            if value is None:
                for key in first.fields:
                    fields[names[key]] = self.fill_value
            else:
                for key, v in value.fields.items():
                    fields[names[key]] = v
        dims = first.dims
        tags = dims.group_tags(first.tags) if dims.tag_names else {}
        return Point(self.stream_name or first.name, tags, fields, time, None, first.group, dims)

    def _join_batches(self, js: _JoinSet) -> Batch:
        """Joins the points of the batches by rounded time, like the point join."""
        first: Batch = js.values[js.first]  # type: ignore[assignment]
        tol, fill, fill_value = self.tolerance, self.fill, self.fill_value
        rows = [b.points if b is not None else [] for b in js.values]  # type: ignore[union-attr]
        field_names = next((list(r[0].fields) for r in rows if r), [])
        indexes = [0] * len(rows)
        points: list[Point] = []
        while True:
            heads = [
                round_half_up(r[i].time, tol) if i < len(r) else None
                for r, i in zip(rows, indexes, strict=True)
            ]
            present = [h for h in heads if h is not None]
            if not present:
                break
            set_time = min(present)
            fields: dict[str, Any] = {}
            complete = True
            for n, (prefix, head) in enumerate(zip(self.prefixes, heads, strict=True)):
                if head == set_time:
                    for key, v in rows[n][indexes[n]].fields.items():
                        fields[prefix + key] = v
                    indexes[n] += 1
                elif fill == _INNER:
                    complete = False
                else:
                    for key in field_names:
                        fields[prefix + key] = fill_value
            if complete:
                points.append(
                    Point(first.name, first.tags, fields, set_time, group=first.group, dims=first.dims)
                )
        return Batch(
            self.stream_name or first.name, first.tags, points, js.time, group=first.group, dims=first.dims
        )


def _check_names(names: list[str], parents: int, delimiter: str) -> None:
    if not names:
        raise ValueError("a call to join.as() is required to specify the output stream prefixes.")
    if len(names) != parents:
        raise ValueError("number of prefixes specified by join.as() must match the number of joined streams")
    for name in names:
        if not name:
            raise ValueError("must provide a prefix name for the join node, see .as() property method")
        if delimiter and delimiter in name:
            raise ValueError(
                f"cannot use name {name} as field prefix, it contains the delimiter {delimiter!r}"
            )
    if len(set(names)) != len(names):
        raise ValueError("cannot use the same prefix name see .as() property method")


def _parse_fill(fill: Any) -> tuple[str, Any]:
    if fill is None or fill == "none":
        return _INNER, None
    if fill == "null":
        return _NULL, None
    if isinstance(fill, bool) or not isinstance(fill, int | float):
        raise ValueError(f"unexpected fill option {fill}")
    return _NUMBER, fill


_S = ValueType.STRING

SPEC = NodeSpec(
    name="join",
    kind="join",
    factory=JoinNode,
    args=params(ValueType.NODE, variadic=True, min_args=1),
    properties={
        "as": PropertySpec(
            "as", params(_S, variadic=True, min_args=1), doc="Field prefixes, one per parent."
        ),
        "on": PropertySpec("on", params(_S, variadic=True, min_args=1), doc="Join on these group tags."),
        "tolerance": PropertySpec("tolerance", params(ValueType.DURATION), doc="Round times to this."),
        "fill": PropertySpec(
            "fill",
            params((_S, ValueType.INT, ValueType.FLOAT)),
            doc="'none' (inner join), 'null' or a number (outer join).",
        ),
        "streamName": PropertySpec("streamName", params(_S), doc="Measurement of the joined data."),
        "delimiter": PropertySpec("delimiter", params(_S), doc="Between prefix and field name."),
        "deleteAll": PropertySpec(
            "deleteAll", params(ValueType.BOOL, min_args=0), doc="A delete from one parent deletes all."
        ),
    },
    multi_parent=True,
    doc="Joins the data of several parents by time.",
)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [SPEC]
