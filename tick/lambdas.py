"""The lambda compiler: a TICKscript lambda becomes Python source, compiled once.

``lambda: "value" > 25.0`` is turned into a Python expression with the field lookup
and a type guard inlined, and ``exec``'d into closures: an evaluator of one point and
a selector that filters a whole chunk with one list comprehension. Nothing walks a
tree per point. Types are Kapacitor's: where both operand types are known at compile
time the operator is checked then and inlined; where an operand comes from a point,
the generated code guards the expected class (``type(v) is float``) and falls back
to an exact per-type implementation otherwise, so ``int + float``, ``bool > 1`` or a
duration compared with an int fail as in Kapacitor, however the guard guessed.

Semantics kept from Kapacitor 1.5:

- ``"name"`` reads a field, else a tag; a name that is both is an error; ``"time"`` is
  the point's time. A missing reference is an error even in a skipped ``AND``/``OR``
  operand (Kapacitor type-checks the whole expression before evaluating it); only
  ``isPresent("name")`` may look at a missing name.
- Identifiers are script variables, inlined as constants at compile time.
- Stateful functions (``sigma``, ``count``, ``spread``) keep their state in the
  evaluator (or selector), one instance per function name, as Kapacitor does.

Ints and durations are 64-bit as in Go: arithmetic wraps around on overflow.

Known differences, all where Kapacitor fails or produces what no output can carry:
dividing by zero drops the point (Go panics on ints and yields infinities on floats);
a type error inside an AND/OR operand that is skipped goes unnoticed (a missing name
there is still an error); a name that is both a field and a tag is an error only
where the expression reads it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leyden.kernel import FunctionSpec, Point, PointError, TickError, ValueType

from . import ast
from ._goregex import translate
from ._lambda_ops import BINARY, LOGICAL, MATH, RUNTIME, mismatch
from ._lambda_types import PY_TYPES, Duration, LType, signature_of

__all__ = ["CompiledLambda", "compile_lambda", "lambda_text"]

Scope = Mapping[str, tuple[ValueType, Any]]

_PY_NAMES = {lt: f"_type_{py.__name__}" for lt, py in PY_TYPES.items()}
#: The loop of chunk functions: reading every point's fields and tags also refuses a
#: chunk holding anything but points, even when the lambda reads neither.
_EVERY_POINT = "for f in [p.fields] for t in [p.tags]"
_PREFERRED = (LType.FLOAT, LType.INT, LType.STRING, LType.BOOL, LType.DURATION, LType.TIME)


class CompiledLambda:
    """A compiled lambda, implementing the kernel's ``Lambda`` protocol.

    ``type`` is the result type when known at compile time (None: it depends on the
    point); ``references`` the field and tag names the lambda reads (``"time"`` is
    not one); ``node`` the syntax tree it was compiled from.
    """

    __slots__ = ("_functions", "_make", "_scope", "_shared", "node", "references", "stateful", "text", "type")

    def __init__(
        self,
        node: ast.Lambda,
        text: str,
        type_: LType | None,
        references: frozenset[str],
        stateful: bool,
        make: Callable[[], tuple[Callable[..., Any], ...]],
        functions: Mapping[str, FunctionSpec],
        scope: Scope,
    ) -> None:
        self.node = node
        self.text = text
        self.type = type_
        self.references = references
        self.stateful = stateful
        self._make = make
        self._shared = None if stateful else make()
        self._functions = functions
        self._scope = scope

    def evaluator(self) -> Callable[[Point], Any]:
        """A function of one point raising :class:`PointError` when evaluation fails.
        A stateful lambda gets fresh state with every call: make one per group."""
        return (self._shared or self._make())[0]

    def selector(self) -> Callable[[list[Point]], tuple[list[Point], int]]:
        """A chunk filter returning the points for which the lambda is true and the
        number of points it could not evaluate (dropped). Stateful lambdas get fresh
        state with every call."""
        if self.type not in (LType.BOOL, None):
            raise TickError(
                f"lambda {self.text} is not a boolean expression (it is {self.type})", *self.node.pos
            )
        return (self._shared or self._make())[1]

    def mapper(self) -> Callable[[list[Point]], list[Any] | None] | None:
        """A chunk function returning the lambda's value for every point, in one
        comprehension, or None for a chunk where any point fails or that holds
        anything but points (the caller takes its per-point path, which reports
        the errors). None for a stateful lambda, whose state belongs to a group."""
        return None if self.stateful else self._shared[2]  # type: ignore[index]

    def cascade(
        self, lower: Sequence[Any], results: Sequence[Any]
    ) -> Callable[[list[Point]], list[Any] | None] | None:
        """A chunk function for a ladder of boolean lambdas, ``self`` then ``lower``:
        for each point, ``results[i]`` for the first lambda ``i`` that is true, or the
        last result when none is; all in one comprehension, with no call per point.
        It returns None for the whole chunk when any point fails to evaluate or the
        chunk holds anything but points, so the caller can take its per-point path,
        which reports the errors. None (no cascade) when a lambda is stateful: the
        order of evaluation would matter."""
        ladder = [self, *lower]
        if len(results) != len(ladder) + 1:
            raise ValueError(f"a cascade of {len(ladder)} lambdas needs {len(ladder) + 1} results")
        if any(not isinstance(lam, CompiledLambda) or lam.stateful for lam in ladder):
            return None
        if any(lam.type not in (LType.BOOL, None) for lam in ladder):
            return None
        gen = _Generator(self._functions, self._scope)
        branches = []
        for lam, result in zip(ladder, results, strict=False):  # the last result is for none
            gen.functions, gen.scope = lam._functions, lam._scope
            test = gen.boolean(gen.expr(lam.node.expr), "alert")
            branches.append(f"{gen.bind(result, '_r')} if {test} else ")
        otherwise = gen.bind(results[-1], "_r")
        source = "\n".join(
            [
                "def _cascade(pts):",
                "    try:",
                f"        return [{''.join(branches)}{otherwise} for p in pts {_EVERY_POINT}]",
                "    except Exception:",
                "        return None",
                "",
            ]
        )
        namespace = gen.globals
        exec(compile(source, f"<cascade: {' | '.join(lam.text for lam in ladder)}>", "exec"), namespace)
        return namespace["_cascade"]

    def __repr__(self) -> str:
        return f"CompiledLambda({self.text!r})"


def compile_lambda(
    lam: ast.Lambda, *, scope: Scope | None = None, functions: Mapping[str, FunctionSpec]
) -> CompiledLambda:
    """Compile a lambda; raises :class:`TickError` (with line and column) for unknown
    functions or variables, wrong arity and type errors visible at compile time."""
    gen = _Generator(functions, scope or {})
    code = gen.expr(lam.expr)
    source = gen.module(code)
    namespace = gen.globals
    text = lambda_text(lam)
    try:
        code_object = compile(source, f"<lambda: {text}>", "exec")
    except (SyntaxError, RecursionError) as err:  # Python's nesting limits
        raise TickError(f"lambda expression too deeply nested: {err}", *lam.pos) from None
    exec(code_object, namespace)
    return CompiledLambda(
        lam,
        text,
        code.type,
        frozenset(gen.references),
        bool(gen.stateful),
        namespace["_make"],
        functions,
        scope or {},
    )


def select_slowly(points: list[Point], test: Callable[[Point], bool]) -> tuple[list[Point], int]:
    """The per-point path of a selector: drops and counts the points that fail."""
    kept = []
    errors = 0
    for p in points:
        try:
            if test(p):
                kept.append(p)
        except PointError:
            errors += 1
    return kept, errors


@dataclass(frozen=True)
class _Code:
    """Python source for a sub-expression, its static type (None: known per point) and
    the references that are certainly present once it evaluated without error."""

    src: str
    type: LType | None
    refs: frozenset[str] = frozenset()
    pure: bool = False  # a literal or constant: may be evaluated in any order or twice


class _Generator:
    def __init__(self, functions: Mapping[str, FunctionSpec], scope: Scope) -> None:
        self.functions = functions
        self.scope = scope
        self.globals: dict[str, Any] = dict(RUNTIME)
        self.globals.update({name: PY_TYPES[lt] for lt, name in _PY_NAMES.items()})
        self.globals["_select_slowly"] = select_slowly
        self.stateful: dict[str, str] = {}  # function name -> instance variable
        self.factories: dict[str, str] = {}  # instance variable -> factory constant
        self.references: dict[str, None] = {}
        self.reads_point = False
        self._count = 0

    def fresh(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def bind(self, value: Any, prefix: str = "_k") -> str:
        name = self.fresh(prefix)
        self.globals[name] = value
        return name

    # -- module ------------------------------------------------------------------------

    def module(self, code: _Code) -> str:
        # selector() refuses a lambda of another type; the module stays valid anyway
        test = self.boolean(code, "where") if code.type in (LType.BOOL, None) else f"_not_bool({code.src})"
        reads = "for f in [p.fields] for t in [p.tags]" if self.reads_point else ""
        lines = ["def _make():"]
        lines += [f"    {inst} = {self.factories[inst]}()" for inst in self.stateful.values()]
        for name, body in (("_evaluate", code.src), ("_test", test)):
            lines += [f"    def {name}(p):"]
            if self.reads_point:
                lines += ["        f = p.fields", "        t = p.tags"]
            lines += [
                "        try:",
                f"            return {body}",
                "        except _PointError:",
                "            raise",
                "        except Exception as err:",
                "            raise _as_point_error(err) from None",
            ]
        lines += ["    def _select(pts):"]
        if self.stateful:
            lines += ["        return _select_slowly(pts, _test)"]
        else:
            lines += [
                "        try:",
                f"            return [p for p in pts {reads} if {test}], 0",
                "        except Exception:",
                "            return _select_slowly(pts, _test)",
            ]
        lines += [
            "    def _map(pts):",
            "        try:",
            f"            return [{code.src} for p in pts {_EVERY_POINT}]",
            "        except Exception:",
            "            return None",
        ]
        lines += ["    return _evaluate, _select, _map", ""]
        return "\n".join(lines)

    # -- expressions -------------------------------------------------------------------

    def expr(self, node: Any) -> _Code:
        if isinstance(node, ast.Paren):
            return self.expr(node.expr)
        if isinstance(node, ast.FieldRef):
            return self.reference(node.name)
        if isinstance(node, ast.Binary):
            return self.binary(node)
        if isinstance(node, ast.Unary):
            return self.unary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Ident):
            return self.variable(node)
        if isinstance(node, ast.Lambda):
            return self.expr(node.expr)
        return self.literal(node)

    def literal(self, node: Any) -> _Code:
        if isinstance(node, ast.BoolLit):
            return _Code(repr(bool(node.value)), LType.BOOL, pure=True)
        if isinstance(node, ast.IntLit):
            return _Code(repr(int(node.value)), LType.INT, pure=True)
        if isinstance(node, ast.FloatLit):
            return self.float_constant(float(node.value))
        if isinstance(node, ast.StringLit):
            return _Code(repr(node.value), LType.STRING, pure=True)
        if isinstance(node, ast.DurationLit):
            return _Code(self.bind(Duration(node.ns)), LType.DURATION, pure=True)
        if isinstance(node, ast.RegexLit):
            return _Code(self.bind(compile_regex(node.pattern, node.pos)), LType.REGEX, pure=True)
        what = type(node).__name__
        raise TickError(f"{what} is not allowed in a lambda expression", *getattr(node, "pos", (0, 0)))

    def float_constant(self, value: float) -> _Code:
        src = repr(value) if math.isfinite(value) else self.bind(value)
        return _Code(src, LType.FLOAT, pure=True)

    def variable(self, node: ast.Ident) -> _Code:
        if node.name not in self.scope:
            raise TickError(f"undefined variable: {node.name}", *node.pos)
        vtype, value = self.scope[node.name]
        if vtype is ValueType.STRING:
            return _Code(repr(str(value)), LType.STRING, pure=True)
        if vtype is ValueType.BOOL:
            return _Code(repr(bool(value)), LType.BOOL, pure=True)
        if vtype is ValueType.INT:
            return _Code(repr(int(value)), LType.INT, pure=True)
        if vtype is ValueType.FLOAT:
            return self.float_constant(float(value))
        if vtype is ValueType.DURATION:
            return _Code(self.bind(Duration(value)), LType.DURATION, pure=True)
        if vtype is ValueType.REGEX:
            pattern = value if isinstance(value, re.Pattern) else compile_regex(str(value), node.pos)
            return _Code(self.bind(pattern), LType.REGEX, pure=True)
        if vtype is ValueType.LAMBDA:
            inner = value.node if isinstance(value, CompiledLambda) else value
            return self.expr(inner)
        raise TickError(f"variable {node.name} of type {vtype.value} cannot be used in a lambda", *node.pos)

    def reference(self, name: str) -> _Code:
        if name == "time":
            return _Code("_Time(p.time)", LType.TIME)
        self.references[name] = None
        self.reads_point = True
        k = repr(name)
        src = f"(t[{k}] if {k} not in f else f[{k}] if {k} not in t else _collision({k}))"
        return _Code(src, None, frozenset((name,)))

    def unary(self, node: ast.Unary) -> _Code:
        x = self.expr(node.operand)
        if node.op == "!":
            return _Code(f"(not {self.boolean(x, '!', node.pos)})", LType.BOOL, x.refs)
        if x.type is LType.FLOAT:
            return _Code(f"(-{x.src})", x.type, x.refs, x.pure)
        if x.type is LType.INT:
            return _Code(f"_wrap(-{x.src})", x.type, x.refs, x.pure)
        if x.type is LType.DURATION:
            return _Code(f"_Duration(_wrap(-{x.src}))", x.type, x.refs, x.pure)
        if x.type is None:
            return _Code(f"_negate({x.src})", None, x.refs)
        raise TickError(f"invalid unary operator {node.op} for type {x.type}", *node.pos)

    def boolean(self, x: _Code, op: str, pos: tuple[int, int] = (0, 0)) -> str:
        """Source for ``x`` where a boolean is required."""
        if x.type is LType.BOOL:
            return x.src
        if x.type is None:
            v = self.fresh("_v")
            return f"({v} if type({v} := {x.src}) is _type_bool else _not_bool({v}))"
        raise TickError(f"invalid logical operator {op} for type {x.type}", *pos)

    def binary(self, node: ast.Binary) -> _Code:
        op = node.op.upper() if node.op.upper() in LOGICAL else node.op
        if op in LOGICAL:
            return self.logical(op, [self.expr(x) for x in _operands(node, op)], node.pos)
        left, right = self.expr(node.left), self.expr(node.right)
        refs = left.refs | right.refs
        if left.type is not None and right.type is not None:
            entry = BINARY.get((op, left.type, right.type))
            if entry is None:
                raise TickError(mismatch(op, left.type, right.type), *node.pos)
            result, template = entry
            return _Code(template.format(l=left.src, r=right.src), result, refs, left.pure and right.pure)
        if left.type is not None or right.type is not None:
            return self.half_dynamic(op, left, right, node.pos)
        return self.dynamic(op, left, right)

    def logical(self, op: str, operands: list[_Code], pos: tuple[int, int]) -> _Code:
        """A flat ``a and b and c`` for a whole AND (or OR) chain, however long. When
        it short-circuits, the names only the skipped operands read must still exist:
        one presence test covers them, on that path only."""
        joined = f" {op.lower()} ".join(self.boolean(x, op, pos) for x in operands)
        refs = frozenset().union(*(x.refs for x in operands))
        later = sorted(refs - operands[0].refs)
        if not later:
            return _Code(f"({joined})", LType.BOOL, refs)
        present = " and ".join(f"({k!r} in f or {k!r} in t)" for k in later)
        names = self.bind(tuple(later))
        check = f"({op == 'OR'} if {present} else _absent_among(f, t, {names}))"
        # AND: false means something was skipped; OR: true does
        src = f"(({joined}) or {check})" if op == "AND" else f"(({joined}) and {check})"
        return _Code(src, LType.BOOL, refs)

    def half_dynamic(self, op: str, left: _Code, right: _Code, pos: tuple[int, int]) -> _Code:
        """One operand typed at compile time, the other known per point: guard the
        likeliest classes of the dynamic one, fall back to the exact operator."""
        static_left = left.type is not None
        known = left.type if static_left else right.type
        assert known is not None
        partners = [lt for lt in dict.fromkeys((known, *_PREFERRED)) if _entry(op, known, lt, static_left)]
        if not partners:
            raise TickError(mismatch(op, *((known, "?") if static_left else ("?", known))), *pos)
        template = _entry(op, known, partners[0], static_left)[1]
        group = [lt for lt in partners if _entry(op, known, lt, static_left)[1] == template]
        results = {_entry(op, known, lt, static_left)[0] for lt in partners}
        result = results.pop() if len(results) == 1 else None  # exact path: any partner
        v, c = self.fresh("_v"), self.fresh("_t")
        fixed = left if static_left else right
        dyn = right if static_left else left
        prefix = ""
        if not fixed.pure:  # evaluate the fixed side first, and once
            k = self.fresh("_a")
            prefix, fixed = f"({k} := {fixed.src}) is {k} and ", _Code(k, fixed.type, fixed.refs, True)
        l_src, r_src = (fixed.src, v) if static_left else (v, fixed.src)
        checks = " or ".join(f"{c} is {_PY_NAMES[lt]}" for lt in group[1:])
        guard = f"({c} := type({v} := {dyn.src})) is {_PY_NAMES[group[0]]}" + (
            f" or {checks}" if checks else ""
        )
        fast = template.format(l=l_src, r=r_src)
        src = f"({fast} if {prefix}({guard}) else _exact[{op!r}]({l_src}, {r_src}))"
        return _Code(src, result, left.refs | right.refs)

    def dynamic(self, op: str, left: _Code, right: _Code) -> _Code:
        """Both operands known per point: inline the operator for equal plain classes."""
        a, b, c = self.fresh("_a"), self.fresh("_b"), self.fresh("_t")
        floats = BINARY.get((op, LType.FLOAT, LType.FLOAT))
        plain = [lt for lt in _PREFERRED if floats and BINARY.get((op, lt, lt), (None, None))[1] == floats[1]]
        exact = f"_exact[{op!r}]({a}, {b})"
        refs = left.refs | right.refs
        result = None if op in MATH else LType.BOOL
        if not plain:
            return _Code(f"((({a} := {left.src}), ({b} := {right.src})) and {exact})", result, refs)
        checks = " or ".join(f"{c} is {_PY_NAMES[lt]}" for lt in plain)
        fast = BINARY[op, plain[0], plain[0]][1].format(l=a, r=b)
        guard = f"({c} := type({a} := {left.src})) is type({b} := {right.src}) and ({checks})"
        return _Code(f"({fast} if {guard} else {exact})", result, refs)

    def call(self, node: ast.Call) -> _Code:
        spec = self.functions.get(node.func)
        if spec is None:
            raise TickError(f'undefined function: "{node.func}"', *node.pos)
        count = len(node.args)
        if spec.arity is not None and count not in spec.arity:
            wanted = " or ".join(str(n) for n in spec.arity)
            raise TickError(f"{node.func} expects {wanted} argument(s), got {count}", *node.pos)
        sig = signature_of(spec.impl)
        if sig.presence:
            return self.presence(node)
        args = [self.expr(a) for a in node.args]
        for i, (arg, allowed) in enumerate(zip(args, sig.params or (), strict=False)):
            if allowed is not None and arg.type is not None and arg.type not in allowed:
                must = " or ".join(sorted(str(t) for t in allowed))
                raise TickError(
                    f"cannot pass {arg.type} as argument {i + 1} to {node.func}, must be {must}", *node.pos
                )
        result = sig.returns
        if sig.returns_arg is not None and sig.returns_arg < count:
            result = args[sig.returns_arg].type
            if len(args) > sig.returns_arg + 1:
                other = args[sig.returns_arg + 1].type
                if result is not None and other is not None and other is not result:
                    raise TickError(f"{node.func}: different return types {result} and {other}", *node.pos)
                result = result if other is result else None
        if spec.stateful:
            fn = self.stateful.get(node.func)
            if fn is None:
                fn = self.stateful[node.func] = self.fresh("_s")
                self.factories[fn] = self.bind(spec.impl, "_factory")
        else:
            fn = self.bind(spec.impl, "_f")
        refs = frozenset().union(*(a.refs for a in args))
        return _Code(f"{fn}({', '.join(a.src for a in args)})", result, refs)

    def presence(self, node: ast.Call) -> _Code:
        (arg,) = node.args
        while isinstance(arg, ast.Paren):
            arg = arg.expr
        if isinstance(arg, ast.FieldRef):
            if arg.name == "time":
                return _Code("True", LType.BOOL, pure=True)
            self.references[arg.name] = None
            self.reads_point = True
            k = repr(arg.name)
            return _Code(f"({k} in f or {k} in t)", LType.BOOL)
        inner = self.expr(arg)
        return _Code(f"(({inner.src}), True)[1]", LType.BOOL, inner.refs)


def _operands(node: Any, op: str) -> list[Any]:
    """The operands of a chain of one logical operator, left to right."""
    inner = node
    while isinstance(inner, ast.Paren):
        inner = inner.expr
    if isinstance(inner, ast.Binary) and inner.op.upper() == op:
        return [*_operands(inner.left, op), *_operands(inner.right, op)]
    return [node]


def _entry(op: str, known: LType, other: LType, static_left: bool) -> tuple[LType, str] | None:
    key = (op, known, other) if static_left else (op, other, known)
    return BINARY.get(key)


def compile_regex(pattern: str, pos: tuple[int, int] = (0, 0)) -> re.Pattern[str]:
    """A Go (RE2) regular expression as a compiled Python pattern."""
    try:
        return re.compile(translate(pattern))
    except re.error as err:
        raise TickError(f"invalid regex /{pattern}/: {err}", *pos) from None


# -- text ------------------------------------------------------------------------------


def lambda_text(lam: ast.Lambda) -> str:
    """The lambda's expression as Kapacitor formats it: ``"value" > 10.0``."""
    return _text(lam.expr)


def _text(node: Any) -> str:
    if isinstance(node, ast.Paren):
        inner = _text(node.expr)
        return f"({inner})" if isinstance(node.expr, ast.Binary) else inner
    if isinstance(node, ast.Binary):
        return f"{_text(node.left)} {node.op} {_text(node.right)}"
    if isinstance(node, ast.Unary):
        return f"{node.op}{_text(node.operand)}"
    if isinstance(node, ast.Call):
        return f"{node.func}({', '.join(_text(a) for a in node.args)})"
    if isinstance(node, ast.FieldRef):
        return '"' + node.name.replace('"', '\\"') + '"'
    if isinstance(node, ast.StringLit):
        if node.triple:
            return f"'''{node.value}'''"
        return "'" + node.value.replace("'", "\\'") + "'"
    if isinstance(node, ast.BoolLit):
        return "TRUE" if node.value else "FALSE"
    if isinstance(node, ast.IntLit):
        return f"0{node.value:o}" if getattr(node, "octal", False) else str(node.value)
    if isinstance(node, ast.FloatLit):
        return format_float(node.value, point=True)
    if isinstance(node, ast.DurationLit):
        return node.text
    if isinstance(node, ast.RegexLit):
        return "/" + node.pattern.replace("/", "\\/") + "/"
    if isinstance(node, ast.Ident):
        return node.name
    if isinstance(node, ast.Lambda):
        return _text(node.expr)
    return type(node).__name__


def format_float(x: float, *, point: bool = False) -> str:
    """Go's ``strconv.FormatFloat(x, 'f', -1, 64)``: shortest digits, no exponent;
    with ``point`` a ``.0`` is added to whole numbers, as TICKscript literals print."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    text = repr(x)
    if "e" in text or "E" in text:
        mantissa, exponent = text.split("e")
        digits = mantissa.replace(".", "").lstrip("-")
        sign = "-" if x < 0 else ""
        shift = int(exponent) + (len(mantissa.lstrip("-").split(".")[0]))
        if shift <= 0:
            text = sign + "0." + "0" * -shift + digits.rstrip("0")
        elif shift >= len(digits):
            text = sign + digits + "0" * (shift - len(digits))
        else:
            text = sign + digits[:shift] + "." + digits[shift:]
    if text.endswith(".0"):
        text = text[:-2]
    if point and "." not in text:
        text += ".0"
    return text
