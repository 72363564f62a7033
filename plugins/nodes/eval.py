"""``|eval(lambdas...)``: computes new fields (or tags) from each point.

Every lambda's result is stored under the matching ``.as()`` name; later lambdas see
earlier results by that name (unless the point has a field or tag of that name).
Without ``.keep()`` the point keeps only the results; ``.keep()`` keeps every field,
``.keep('a', 'b')`` just those. ``.tags()`` turns string results into tags::

    stream
        |from()
            .measurement('cpu')
        |eval(lambda: "used" / "total", lambda: "used_ratio" * 100.0)
            .as('used_ratio', 'used_percent')
            .keep('used', 'used_percent')

A point whose lambdas fail to evaluate is dropped and counted as an error;
``.quiet()`` only silences the log. Stateful lambdas keep their state per group.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from leyden.kernel import (
    Batch,
    Chunk,
    DeleteGroup,
    GroupID,
    Lambda,
    Message,
    Node,
    NodeContext,
    NodeSpec,
    Point,
    PointError,
    PropertySpec,
    hookimpl,
    params,
)
from leyden.kernel import ValueType as V

log = logging.getLogger("leyden.node.eval")

#: Errors logged per node before it falls silent (the count goes on in the stats).
_LOGGED_ERRORS = 10

Evaluator = Callable[[Point], Any]


class EvalNode(Node):
    """Evaluates lambdas into fields and tags; see the module docstring."""

    def __init__(self, ctx: NodeContext) -> None:
        self.lambdas: tuple[Lambda, ...] = ctx.args
        self.names: tuple[str, ...] = tuple(name for call in ctx.calls("as") for name in call)
        if len(self.names) != len(self.lambdas):
            raise ValueError("must provide one name per expression via the 'As' property")
        self.tag_names = frozenset(name for call in ctx.calls("tags") for name in call)
        keep = ctx.calls("keep")
        self.keep = bool(keep)
        self.keep_list: tuple[str, ...] = tuple(keep[-1]) if keep else ()
        self.quiet = ctx.flag("quiet")
        self.name = ctx.name
        stateful = any(lam.stateful for lam in self.lambdas)
        self.shared = None if stateful else self._evaluators()
        self.per_group: dict[GroupID, list[Evaluator]] = {}
        self._logged = 0
        #: The common ``eval(lambda: ...).as('x')``: the result replaces the fields.
        self._single = (
            self.names[0] if len(self.names) == 1 and not self.tag_names and not self.keep else None
        )
        #: For that common case, the lambda over a whole chunk of points at once.
        self._map = self.lambdas[0].mapper() if self._single is not None and not stateful else None

    def _evaluators(self) -> list[Evaluator]:
        return [lam.evaluator() for lam in self.lambdas]

    def cardinality(self) -> int:
        return len(self.per_group)

    def process(self, chunk: Chunk) -> Chunk:
        if self._map is not None:
            values = self._map(chunk)
            if values is not None:
                name = self._single
                return [
                    Point(p.name, p.tags, {name: v}, p.time, p.dbrp, p.group, p.dims)
                    for p, v in zip(chunk, values, strict=True)
                ]
        out: list[Message] = []
        for msg in chunk:
            kind = type(msg)
            if kind is Point:
                p = self._eval_or_drop(self._group_evaluators(msg.group), msg)  # type: ignore[arg-type]
                if p is not None:
                    out.append(p)
            elif kind is Batch:
                evaluators = self._group_evaluators(msg.group)
                evaluate = self._eval_or_drop
                points = [q for p in msg.points if (q := evaluate(evaluators, p)) is not None]  # type: ignore[union-attr]
                out.append(msg.replace(points=points))  # type: ignore[union-attr]
            else:
                if kind is DeleteGroup:
                    self.per_group.pop(msg.group, None)
                out.append(msg)
        return out

    def _group_evaluators(self, group: GroupID) -> list[Evaluator]:
        if self.shared is not None:
            return self.shared
        evaluators = self.per_group.get(group)
        if evaluators is None:
            evaluators = self.per_group[group] = self._evaluators()
        return evaluators

    def _eval_or_drop(self, evaluators: list[Evaluator], p: Point) -> Point | None:
        try:
            return self._eval(evaluators, p)
        except PointError as err:
            self.stats.errors += 1
            if not self.quiet and self._logged < _LOGGED_ERRORS:
                self._logged += 1
                log.error("%s: error evaluating expression: %s", self.name, err)
            return None

    def _eval(self, evaluators: list[Evaluator], p: Point) -> Point:
        single = self._single
        if single is not None:
            return Point(p.name, p.tags, {single: evaluators[0](p)}, p.time, p.dbrp, p.group, p.dims)
        fields, tags = p.fields, p.tags
        results: dict[str, Any] = {}
        if len(evaluators) == 1:
            results[self.names[0]] = evaluators[0](p)
        else:
            # Later lambdas see earlier results, unless the point has that name itself.
            scope = dict(fields)
            view = p.replace(fields=scope)
            for name, evaluate in zip(self.names, evaluators, strict=True):
                value = results[name] = evaluate(view)
                if name not in fields and name not in tags:
                    scope[name] = value
        new_tags = tags
        if self.tag_names:
            new_tags = dict(tags)
            for name in self.tag_names:
                value = results.get(name)
                if type(value) is not str:
                    raise PointError(
                        f"result of a tag expression must be of type string, got {type(value).__name__}"
                    )
                new_tags[name] = value
        if self.keep_list:
            new_fields = {}
            for name in self.keep_list:
                if name in results:
                    new_fields[name] = results[name]
                elif name in fields:
                    new_fields[name] = fields[name]
                else:
                    raise PointError(f"cannot keep field {name!r}, field does not exist")
        elif self.keep:
            new_fields = {**fields, **results}
        else:
            new_fields = {name: v for name, v in results.items() if name not in self.tag_names}
        return p.replace(fields=new_fields, tags=new_tags)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [
        NodeSpec(
            name="eval",
            kind="eval",
            factory=EvalNode,
            args=params(V.LAMBDA, V.LAMBDA, variadic=True),
            properties={
                "as": PropertySpec("as", params(V.STRING, V.STRING, variadic=True), doc="Result names."),
                "tags": PropertySpec(
                    "tags", params(V.STRING, V.STRING, variadic=True), doc="Results that become tags."
                ),
                "keep": PropertySpec(
                    "keep", params(V.STRING, variadic=True), doc="Keep all fields, or the ones named."
                ),
                "quiet": PropertySpec("quiet", doc="Do not log evaluation errors."),
            },
            doc=__doc__ or "",
        )
    ]
