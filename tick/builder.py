"""TICKscript syntax tree to a kernel :class:`~leyden.kernel.Pipeline`, with every check.

The builder evaluates statements in order, as Kapacitor does. ``stream`` and
``batch`` are the node specs marked ``source_var``; ``|name(args)`` creates a node
from ``plugins.nodes``, ``.name(args)`` sets a property (or, on a node that takes
alert handlers, opens a handler from ``plugins.handlers``), ``@name(args)`` calls a
UDF. Everything the plugins declare is checked before anything runs: arity and
types of arguments, unknown nodes and properties, edge types, variables. Each
error is a :class:`~leyden.kernel.TickError` pointing at the offending token::

    stream
        |from()
            .measurment('cpu')      # line 3 char 10: from has no property 'measurment';
                                    #   did you mean 'measurement'?

Variables given with a task (Kapacitor's ``vars``) override the script's
declarations; a template's ``var name type`` must get one.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leyden.kernel import (
    STAR,
    Duration,
    EdgeType,
    HandlerConfig,
    HandlerSpec,
    NodeSpec,
    Params,
    Pipeline,
    PipelineNode,
    TaskVar,
    TickError,
    ValueType,
)

from . import ast
from .durations import format_duration_literal, parse_duration_literal, parse_go_duration
from .fmt import format_expression
from .lambdas import compile_lambda, compile_regex
from .parser import parse, parse_lambda
from .transformer import start_pos

V = ValueType
Value = tuple[ValueType, Any]
#: An evaluated argument: its type, its value and where it was written.
Arg = tuple[ValueType, Any, ast.Pos]

_ARTICLES = {V.INT: "an int", V.ANY: "any value", V.LAMBDA: "a lambda", V.LIST: "a list", V.STAR: "*"}
#: The types a var can have in a template or in a task's ``vars``, by their API name.
_VAR_TYPES = {
    t.value: t for t in (V.STRING, V.INT, V.FLOAT, V.BOOL, V.DURATION, V.REGEX, V.LAMBDA, V.STAR, V.LIST)
}


def compile(
    script: str,
    plugins: Any,
    *,
    vars: Mapping[str, TaskVar] | None = None,
    task_type: EdgeType | None = None,
    allow_missing_vars: bool = False,
    config: Any = None,
) -> Pipeline:
    """Parse, check and build a script into a pipeline.

    ``vars`` override the script's ``var`` declarations (their types must match);
    ``task_type`` is the type the task was defined with, if any. With
    ``allow_missing_vars`` a template's undefined vars get zero values, so the
    template itself can be checked, as Kapacitor does when it is defined.
    ``config`` (sections by ``config.get(name)``) is what macros read, and with
    ``[deadman] global = true`` every pipeline's source gets a deadman, as in
    Kapacitor.
    """
    builder = _Builder(plugins, vars or {}, task_type, allow_missing_vars, config)
    return builder.build(parse(script))


def declared_vars(script: str, plugins: Any) -> dict[str, TaskVar]:
    """The variables a script declares, with their default values, in the shape of
    Kapacitor's API (durations in nanoseconds, regexes and lambdas as text)."""
    builder = _Builder(plugins, {}, None, allow_missing_vars=True)
    builder.build(parse(script))
    return builder.defaults


#: What a template var without a value holds while the template is checked.
_ZERO_VALUES = {
    V.STRING: "",
    V.INT: 0,
    V.FLOAT: 0.0,
    V.BOOL: False,
    V.DURATION: 0,
    V.REGEX: re.compile(""),
    V.STAR: STAR,
    V.LIST: [],
}


@dataclass
class HandlerContext:
    """An alert handler opened by ``.name(...)`` on an alert node.

    Following properties go to the handler when it has them and to the alert node
    otherwise; ``|`` continues from the alert node.
    """

    node: PipelineNode
    config: HandlerConfig
    spec: HandlerSpec


class Macro:
    """What a :attr:`NodeSpec.expand` function receives when the script calls it.

    A macro stands for several nodes (Kapacitor's ``deadman`` is a ``stats``, a
    ``derivative`` and an ``alert``). ``parent`` is the node the method was
    chained on and ``args`` the checked arguments; :meth:`chain`, :meth:`set` and
    :meth:`lambda_expr` build the nodes, with the same checks as a script. The
    function returns the node the script continues from::

        def expand_deadman(macro):
            threshold, interval = macro.args
            stats = macro.chain(macro.parent, "stats", interval)
            macro.set(stats, "align")
            alert = macro.chain(stats, "alert")
            macro.set(alert, "crit", macro.lambda_expr(f'"emitted" <= {threshold}'))
            return alert

    Integers are accepted for duration parameters (nanoseconds). Errors point at
    the macro's call in the script.
    """

    def __init__(self, builder: _Builder, parent: PipelineNode, args: tuple[Any, ...], pos: ast.Pos) -> None:
        self._builder = builder
        self.parent = parent
        self.args = args
        self.pos = pos

    def chain(self, parent: PipelineNode, name: str, *args: Any) -> PipelineNode:
        """Create the node ``|name(args)`` below ``parent``."""
        spec = self._builder.plugins.nodes.get(name)
        if spec is None or spec.source_var:
            raise TickError(f"unknown node {name!r} used by a macro", *self.pos)
        values = [(_type_of(value), value, self.pos) for value in args]
        return self._builder.chain_node(parent, spec, values, self.pos, trusted=True)

    def set(self, node: PipelineNode, name: str, *args: Any) -> None:
        """Set the property ``.name(args)`` of ``node``."""
        prop = node.spec.properties.get(name)
        if prop is None:
            raise TickError(f"{node.spec.name} has no property {name!r} (used by a macro)", *self.pos)
        values = [(_type_of(value), value, self.pos) for value in args]
        self._builder.set_property(node.properties, prop, values, self.pos, trusted=True)

    def config(self, section: str) -> Mapping[str, Any]:
        """The server's configuration section ``section`` (empty when there is none)."""
        return self._builder.section(section)

    def lambda_expr(self, source: str) -> Any:
        """Compile the lambda expression ``source`` (without ``lambda:``)."""
        try:
            return self._builder.compile_lambda(parse_lambda(source))[1]
        except TickError as err:
            raise TickError(f"in the macro's lambda {source!r}: {err.message}", *self.pos) from None


@dataclass
class _Builder:
    plugins: Any
    vars: Mapping[str, TaskVar]
    task_type: EdgeType | None
    allow_missing_vars: bool
    config: Any = None
    nodes: list[PipelineNode] = field(default_factory=list)
    scope: dict[str, Value] = field(default_factory=dict)
    declared_at: dict[str, ast.Pos] = field(default_factory=dict)
    sources: dict[str, PipelineNode] = field(default_factory=dict)
    dbrps: list[tuple[str, str]] = field(default_factory=list)
    defaults: dict[str, TaskVar] = field(default_factory=dict)

    def build(self, program: ast.Program) -> Pipeline:
        descriptions = {c.anchor: c.text for c in program.comments if c.anchor}
        for statement in program.statements:
            if isinstance(statement, ast.VarDecl):
                self.declare(statement, descriptions.get(statement.pos, ""))
            elif isinstance(statement, ast.Dbrp):
                if (statement.db, statement.rp) not in self.dbrps:
                    self.dbrps.append((statement.db, statement.rp))
            else:
                self.eval(statement.expr)
        if not self.sources:
            raise TickError("the script has no source: a pipeline starts with stream or batch", 1, 1)
        (source,) = self.sources.values()
        self._global_deadman(source)
        return Pipeline(self.nodes, source.edge_out, list(self.dbrps))

    def section(self, name: str) -> Mapping[str, Any]:
        found = self.config.get(name) if self.config is not None else None
        return found if isinstance(found, Mapping) else {}

    def _global_deadman(self, source: PipelineNode) -> None:
        """Kapacitor's ``[deadman] global = true``: a deadman on the source node."""
        deadman = self.section("deadman")
        spec = self.plugins.nodes.get("deadman")
        if not deadman.get("global") or spec is None:
            return
        try:
            threshold = float(deadman.get("threshold", 0.0))
            interval = parse_go_duration(str(deadman.get("interval", "10s")))
        except (TypeError, ValueError) as err:
            raise TickError(f"invalid [deadman] configuration: {err}", 1, 1) from None
        args = [(V.FLOAT, threshold, (1, 1)), (V.DURATION, interval, (1, 1))]
        self.chain_node(source, spec, args, (1, 1), trusted=True)

    # -- variables -------------------------------------------------------------------

    def declare(self, decl: ast.VarDecl, description: str) -> None:
        name = decl.name
        if name in self.scope or self._source_spec(name):
            where = self.declared_at.get(name)
            earlier = f" (declared on line {where[0]})" if where else ""
            raise TickError(f"attempted to redefine {name}{earlier}, vars are immutable", *decl.name_pos)
        if decl.value is None:
            declared = _VAR_TYPES[decl.type_name]
            self.defaults[name] = TaskVar(declared.value, None, description)
            value = self._template_value(name, declared, decl.name_pos)
        else:
            value = self.eval(decl.value)
            if value[0] is not V.NODE:
                self.defaults[name] = TaskVar(value[0].value, self._api_value(value, decl.value), description)
            if name in self.vars:
                value = self._given_var(name, value[0], decl.name_pos)
        self.scope[name] = value
        self.declared_at[name] = decl.name_pos

    def _template_value(self, name: str, declared: ValueType, pos: ast.Pos) -> Value:
        if name in self.vars:
            return self._given_var(name, declared, pos)
        if not self.allow_missing_vars:
            raise TickError(f'missing value for var "{name}"', *pos)
        if declared is V.LAMBDA:
            return self.compile_lambda(ast.Lambda(ast.BoolLit(False, pos), pos))
        return (declared, _ZERO_VALUES[declared])

    def _given_var(self, name: str, declared: ValueType, pos: ast.Pos) -> Value:
        """A var from the task definition, checked against the script's declaration."""
        given = self.vars[name]
        if given.type != declared.value:
            message = (
                f"invalid type supplied for {name}: got {given.type}, the script declares {declared.value}"
            )
            raise TickError(message, *pos)
        try:
            return self._from_api(declared, given.value)
        except TickError as err:
            raise TickError(f"invalid value for var {name}: {err.message}", *pos) from None
        except (TypeError, ValueError) as err:
            raise TickError(f"invalid value for var {name}: {err}", *pos) from None

    def _from_api(self, kind: ValueType, value: Any) -> Value:
        if kind is V.LIST:
            items = [_api_item(item) for item in value or ()]
            return (V.LIST, [STAR if item is None or item == "*" else str(item) for item in items])
        if kind is V.LAMBDA:
            return self.compile_lambda(parse_lambda(value))
        if kind is V.STAR:
            return (V.STAR, STAR)
        if kind is V.REGEX:
            return (V.REGEX, compile_regex(value))
        if kind is V.DURATION and isinstance(value, str):
            return (V.DURATION, parse_duration_literal(value))
        expected = {V.STRING: str, V.INT: int, V.FLOAT: (int, float), V.BOOL: bool, V.DURATION: int}[kind]
        if not isinstance(value, expected) or (isinstance(value, bool) and kind is not V.BOOL):
            if kind is V.INT and isinstance(value, float) and value.is_integer():
                return (V.INT, int(value))
            raise TypeError(f"expected {_describe(kind)}, got {value!r}")
        return (kind, float(value) if kind is V.FLOAT else value)

    def _api_value(self, value: Value, expr: ast.Expr) -> Any:
        """A var's default as Kapacitor's API shows it."""
        kind, raw = value
        if kind is V.REGEX:
            return raw.pattern
        if kind is V.STAR:
            return None
        if kind is V.LIST:
            return [
                {"type": _type_of(item).value, "value": None if item is STAR else item, "description": ""}
                for item in raw
            ]
        if kind is V.LAMBDA:
            if isinstance(expr, ast.Ident):
                return self.defaults[expr.name].value
            return format_expression(_substitute(expr.expr, self.scope))
        return raw

    # -- expressions -----------------------------------------------------------------

    def eval(self, expr: ast.Expr) -> Value:
        if isinstance(expr, ast.Chain):
            return (V.NODE, self.chain(expr))
        if isinstance(expr, ast.Ident):
            return self.lookup(expr)
        if isinstance(expr, ast.Lambda):
            return self.compile_lambda(expr)
        if isinstance(expr, ast.ListLit):
            return (V.LIST, [self._list_item(item) for item in expr.items])
        if isinstance(expr, ast.FieldRef):
            raise TickError(
                f'"{expr.name}" is a field reference, only valid in a lambda; '
                "did you use double quotes instead of single quotes?",
                *expr.pos,
            )
        if isinstance(expr, ast.Call):
            raise TickError(f"unknown function {expr.func}(): functions are called inside lambdas", *expr.pos)
        if isinstance(expr, ast.Paren):
            return self.eval(expr.expr)
        if isinstance(expr, ast.Unary):
            return _fold_unary(expr.op, self.eval(expr.operand), expr.pos)
        if isinstance(expr, ast.Binary):
            return _fold_binary(expr.op, self.eval(expr.left), self.eval(expr.right), expr.op_pos)
        return _literal(expr)

    def lookup(self, ident: ast.Ident) -> Value:
        if ident.name in self.scope:
            return self.scope[ident.name]
        spec = self._source_spec(ident.name)
        if spec is None:
            raise TickError(f"undefined variable {ident.name!r}", *ident.pos)
        return (V.NODE, self._source(spec, ident.pos))

    def _list_item(self, item: ast.Expr) -> Any:
        kind, value = self.eval(item)
        if kind not in (V.STRING, V.STAR):
            raise TickError(f"a list holds strings and *, not {_describe(kind)}", *start_pos(item))
        return value

    def compile_lambda(self, lam: ast.Lambda) -> Value:
        scope = {name: value for name, value in self.scope.items() if value[0] is not V.NODE}
        return (V.LAMBDA, compile_lambda(lam, scope=scope, functions=self.plugins.functions))

    # -- nodes -----------------------------------------------------------------------

    def _source_spec(self, name: str) -> NodeSpec | None:
        spec = self.plugins.nodes.get(name)
        return spec if spec is not None and spec.source_var else None

    def _source(self, spec: NodeSpec, pos: ast.Pos) -> PipelineNode:
        if spec.name in self.sources:
            return self.sources[spec.name]
        edge = spec.provides or EdgeType.STREAM
        if self.sources:
            raise TickError(f"a script cannot use both {next(iter(self.sources))} and {spec.name}", *pos)
        if self.task_type is not None and edge is not self.task_type:
            raise TickError(f"{spec.name} cannot be used in a {self.task_type.value} task", *pos)
        node = PipelineNode(len(self.nodes), spec, edge_out=edge, pos=pos)
        self.nodes.append(node)
        self.sources[spec.name] = node
        return node

    def chain(self, expr: ast.Chain) -> PipelineNode | HandlerContext:
        kind, target = self.eval(expr.left)
        if kind is not V.NODE:
            raise TickError(f"cannot use {expr.op}{expr.name} on {_describe(kind)}", *expr.pos)
        node = target.node if isinstance(target, HandlerContext) else target
        if expr.op == ".":
            return self._dot(target, node, expr)
        specs = self.plugins.nodes if expr.op == "|" else _udfs(self.plugins)
        spec = specs.get(expr.name)
        if spec is None or spec.source_var:
            raise TickError(self._unknown_method(node, expr), *expr.name_pos)
        if not expr.has_parens:
            raise TickError(f"{expr.op}{expr.name} needs parentheses: {expr.op}{expr.name}()", *expr.name_pos)
        return self.chain_node(node, spec, [self._arg(arg) for arg in expr.args], expr.name_pos)

    def chain_node(
        self, parent: PipelineNode, spec: NodeSpec, values: list[Arg], pos: ast.Pos, *, trusted: bool = False
    ) -> PipelineNode:
        """A node of ``spec`` below ``parent`` (plus NODE arguments of multi-parent
        specs), or what the spec's macro builds."""
        args = _check_args(spec.args, values, f"{spec.name}()", pos, trusted)
        if spec.expand is not None:
            return spec.expand(Macro(self, parent, args, pos))
        parents = [parent]
        if spec.multi_parent:
            parents += [arg for arg in args if isinstance(arg, PipelineNode)]
            args = tuple(arg for arg in args if not isinstance(arg, PipelineNode))
        edges = {p.edge_out for p in parents}
        for p in parents:
            if p.edge_out not in spec.wants:
                wants = " or ".join(edge.value for edge in spec.wants) or "no"
                message = (
                    f"{spec.name}() takes {wants} edges, but {p.name} provides a {p.edge_out.value} edge"
                )
                raise TickError(message, *pos)
        if len(edges) > 1:
            raise TickError(f"the parents of {spec.name}() must all provide the same edge type", *pos)
        edge_in = parent.edge_out
        node = PipelineNode(
            id=len(self.nodes),
            spec=spec,
            args=args,
            parents=parents,
            edge_in=edge_in,
            edge_out=spec.provides or edge_in,
            pos=pos,
        )
        for p in parents:
            p.children.append(node)
        self.nodes.append(node)
        return node

    def _dot(
        self, target: PipelineNode | HandlerContext, node: PipelineNode, expr: ast.Chain
    ) -> PipelineNode | HandlerContext:
        name = expr.name
        if isinstance(target, HandlerContext) and name in target.spec.properties:
            values = [self._arg(arg) for arg in expr.args]
            self.set_property(target.config.properties, target.spec.properties[name], values, expr.name_pos)
            return target
        prop = node.spec.properties.get(name)
        if prop is not None:
            self.set_property(node.properties, prop, [self._arg(arg) for arg in expr.args], expr.name_pos)
            return node
        handler = self.plugins.handlers.get(name) if node.spec.handlers else None
        if handler is None:
            raise TickError(self._unknown_method(node, expr), *expr.name_pos)
        values = [self._arg(arg) for arg in expr.args]
        args = _check_args(handler.args, values, f".{name}()", expr.name_pos, False)
        config = HandlerConfig(name, args, {}, expr.name_pos, spec=handler)
        node.handlers.append(config)
        return HandlerContext(node, config, handler)

    def set_property(
        self,
        properties: dict[str, list[tuple[Any, ...]]],
        prop: Any,
        values: list[Arg],
        pos: ast.Pos,
        *,
        trusted: bool = False,
    ) -> None:
        args = _check_args(prop.params, values, f".{prop.name}()", pos, trusted)
        if prop.repeatable:
            properties.setdefault(prop.name, []).append(args)
        else:
            properties[prop.name] = [args]

    def _arg(self, expr: ast.Expr) -> Arg:
        kind, value = self.eval(expr)
        return (kind, value, start_pos(expr))

    def _unknown_method(self, node: PipelineNode, expr: ast.Chain) -> str:
        """Why ``op name`` does not exist here, and what the user probably meant."""
        name, spec = expr.name, node.spec
        chainable = name in self.plugins.nodes and not self.plugins.nodes[name].source_var
        hints = {
            "|": chainable,
            ".": name in spec.properties or (spec.handlers and name in self.plugins.handlers),
            "@": name in _udfs(self.plugins),
        }
        hints[expr.op] = False
        kinds = {"|": "chaining method", ".": "property", "@": "UDF"}
        for op, found in hints.items():
            if found:
                use = {"|": "a node", ".": "a property", "@": "a UDF"}[op]
                return (
                    f"no {kinds[expr.op]} {name!r} on {node.name}, but {use} of that name exists: "
                    f"use '{op}' instead ({op}{name}(...))"
                )
        if expr.op == "|":
            candidates = [n for n, s in self.plugins.nodes.items() if not s.source_var]
            message = f"unknown node {name!r}"
        elif expr.op == "@":
            candidates, message = list(_udfs(self.plugins)), f"unknown UDF {name!r}"
        else:
            candidates = list(spec.properties) + (list(self.plugins.handlers) if spec.handlers else [])
            message = f"{spec.name} has no property {name!r}"
        close = difflib.get_close_matches(name, candidates, n=1)
        return message + (f"; did you mean {close[0]!r}?" if close else "")


# -- values ------------------------------------------------------------------------------


def _udfs(plugins: Any) -> Mapping[str, NodeSpec]:
    """UDF node specs by name; the application provides them from its configuration."""
    return getattr(plugins, "udfs", None) or {}


def _api_item(item: Any) -> Any:
    """The value of one item of a list var, given as ``{"type", "value"}`` or bare."""
    if isinstance(item, TaskVar):
        return item.value
    return item.get("value") if isinstance(item, Mapping) else item


def _as_node(value: PipelineNode | HandlerContext) -> PipelineNode:
    return value.node if isinstance(value, HandlerContext) else value


def _literal(expr: ast.Expr) -> Value:
    if isinstance(expr, ast.StringLit):
        return (V.STRING, expr.value)
    if isinstance(expr, ast.IntLit):
        return (V.INT, expr.value)
    if isinstance(expr, ast.FloatLit):
        return (V.FLOAT, expr.value)
    if isinstance(expr, ast.BoolLit):
        return (V.BOOL, expr.value)
    if isinstance(expr, ast.DurationLit):
        return (V.DURATION, expr.ns)
    if isinstance(expr, ast.RegexLit):
        return (V.REGEX, compile_regex(expr.pattern, expr.pos))
    if isinstance(expr, ast.StarLit):
        return (V.STAR, STAR)
    raise TickError(f"unexpected {type(expr).__name__}", *expr.pos)


def _type_of(value: Any) -> ValueType:
    """The TICKscript type of a Python value handed over by a macro or a list."""
    if isinstance(value, PipelineNode | HandlerContext):
        return V.NODE
    for kind, python in (
        (V.BOOL, bool),
        (V.INT, int),
        (V.FLOAT, float),
        (V.STRING, str),
        (V.REGEX, re.Pattern),
        (V.LIST, list),
    ):
        if isinstance(value, python):
            return kind
    if value is STAR:
        return V.STAR
    if hasattr(value, "evaluator"):
        return V.LAMBDA
    return V.ANY


def _describe(kind: ValueType) -> str:
    return _ARTICLES.get(kind, f"a {kind.value}")


def _check_args(params: Params, values: list[Arg], what: str, pos: ast.Pos, trusted: bool) -> tuple[Any, ...]:
    """Check arity and types; ints are accepted (as floats) where floats are."""
    first = params.types[0] if params.types else ()
    if len(values) == 1 and values[0][0] is V.LIST and V.LIST not in first and V.ANY not in first:
        # Kapacitor passes the items of a lone list argument as the arguments.
        values = [(_type_of(item), item, values[0][2]) for item in values[0][1]]
    count, low, high = len(values), params.minimum, params.maximum
    if count < low or (high is not None and count > high):
        if high is None:
            expected = f"at least {low}"
        elif low == high:
            expected = str(low)
        else:
            expected = f"{low} to {high}"
        plural = "" if expected.endswith(" 1") or expected == "1" else "s"
        raise TickError(f"{what} takes {expected} argument{plural}, got {count}", *pos)
    out = []
    for i, (kind, value, where) in enumerate(values):
        accepted = params.types[min(i, len(params.types) - 1)]
        if kind is V.NODE:
            value = _as_node(value)
        if kind is V.DURATION and kind in accepted:
            out.append(Duration(value))
        elif V.ANY in accepted or kind in accepted:
            out.append(value)
        elif kind is V.INT and V.FLOAT in accepted:
            out.append(float(value))
        elif trusted and kind is V.INT and V.DURATION in accepted:
            out.append(Duration(value))
        else:
            wanted = " or ".join(_describe(t) for t in accepted)
            raise TickError(f"argument {i + 1} of {what} must be {wanted}, got {_describe(kind)}", *where)
    return tuple(out)


# -- constant folding at script level (Kapacitor evaluates these when it defines a task)


def _fold_unary(op: str, operand: Value, pos: ast.Pos) -> Value:
    kind, value = operand
    if op == "-" and kind in (V.INT, V.FLOAT, V.DURATION):
        return (kind, -value)
    if op == "!" and kind is V.BOOL:
        return (V.BOOL, not value)
    raise TickError(f"invalid argument to '{op}': {_describe(kind)}", *pos)


_COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _fold_binary(op: str, left: Value, right: Value, pos: ast.Pos) -> Value:
    (lk, lv), (rk, rv) = left, right
    if op in ("AND", "OR") and lk is rk is V.BOOL:
        return (V.BOOL, (lv and rv) if op == "AND" else (lv or rv))
    if op in ("=~", "!~") and lk is V.STRING and rk is V.REGEX:
        return (V.BOOL, (rv.search(lv) is not None) == (op == "=~"))
    if op in _COMPARE and lk is rk and lk in (V.INT, V.FLOAT, V.DURATION, V.STRING, V.BOOL):
        if lk is V.BOOL and op not in ("==", "!="):
            raise TickError(f"invalid comparison {op} of bools", *pos)
        return (V.BOOL, _COMPARE[op](lv, rv))
    if op in ("+", "-", "*", "/", "%"):
        result = _arithmetic(op, lk, lv, rk, rv)
        if result is not None:
            return result
    raise TickError(f"invalid operation: {_describe(lk)} {op} {_describe(rk)}", *pos)


def _arithmetic(op: str, lk: ValueType, lv: Any, rk: ValueType, rv: Any) -> Value | None:
    """Go's arithmetic on two values of one type (strings only add), plus
    durations scaled or divided by ints; None when the operation is invalid."""
    if lk is rk is V.STRING:
        return (V.STRING, lv + rv) if op == "+" else None
    if lk is rk is V.FLOAT:
        if op == "%":
            return (V.FLOAT, math.fmod(lv, rv)) if rv else None
        if op == "/":
            return (V.FLOAT, lv / rv) if rv else (V.FLOAT, math.copysign(math.inf, lv))
        return (V.FLOAT, {"+": lv + rv, "-": lv - rv, "*": lv * rv}[op])
    integral = lk is rk and lk in (V.INT, V.DURATION)
    if (integral and op in "+-") or lk is rk is V.INT:
        if op in "/%" and rv == 0:
            return None
        quotient = _go_div(lv, rv) if op in "/%" else 0
        result = {"+": lv + rv, "-": lv - rv, "*": lv * rv, "/": quotient, "%": lv - rv * quotient}[op]
        return (lk, result)
    if {lk, rk} == {V.DURATION, V.INT} and op == "*":
        return (V.DURATION, lv * rv)
    if lk is V.DURATION and rk is V.INT and op == "/" and rv:
        return (V.DURATION, _go_div(lv, rv))
    return None


def _go_div(a: int, b: int) -> int:
    """Integer division truncating toward zero, as Go does (-7/2 == -3)."""
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b > 0) else -quotient


# -- rendering lambda defaults ------------------------------------------------------------


def _substitute(expr: ast.Expr, scope: Mapping[str, Value]) -> ast.Expr:
    """The expression with script variables replaced by their values, as Kapacitor
    shows a lambda var's default."""
    if isinstance(expr, ast.Ident) and expr.name in scope:
        kind, value = scope[expr.name]
        literal = _value_literal(kind, value, expr.pos)
        return literal if literal is not None else expr
    if isinstance(expr, ast.Binary):
        return ast.Binary(
            expr.op,
            _substitute(expr.left, scope),
            _substitute(expr.right, scope),
            expr.pos,
            expr.op_pos,
            expr.multiline,
        )
    if isinstance(expr, ast.Unary):
        return ast.Unary(expr.op, _substitute(expr.operand, scope), expr.pos)
    if isinstance(expr, ast.Paren):
        return ast.Paren(_substitute(expr.expr, scope), expr.pos)
    if isinstance(expr, ast.Call):
        return ast.Call(expr.func, tuple(_substitute(a, scope) for a in expr.args), expr.pos, expr.multiline)
    return expr


def _value_literal(kind: ValueType, value: Any, pos: ast.Pos) -> ast.Expr | None:
    if kind is V.STRING:
        return ast.StringLit(value, pos)
    if kind is V.BOOL:
        return ast.BoolLit(value, pos)
    if kind is V.INT:
        return ast.IntLit(value, pos)
    if kind is V.FLOAT:
        return ast.FloatLit(value, pos)
    if kind is V.DURATION:
        return ast.DurationLit(value, format_duration_literal(value), pos)
    if kind is V.REGEX:
        return ast.RegexLit(value.pattern, pos)
    if kind is V.STAR:
        return ast.StarLit(pos)
    return None
