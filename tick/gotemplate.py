"""Go's ``text/template`` language, for alert ids, messages, details and handler bodies.

Kapacitor users write ``.message('{{ .ID }} is {{ .Level }}: {{ index .Fields "value" |
printf "%.2f" }}')``; those templates must move over unchanged and print the same
text. This module parses a template once, when a task is defined, into a tree of
Python closures, so rendering an event is a handful of function calls. Anything the
parser does not understand is a :class:`TemplateParseError` then, never a surprise at
alert time.

Supported: text and ``{{- trim -}}`` markers, comments, fields and chained fields on
maps, structs and Go-like values (``.Time.Unix``), variables (``$x := ...``,
``$x = ...``, ``$``), pipelines, parenthesised pipelines, string/raw/char/number/bool/
nil literals, ``if``/``else if``/``else``, ``range`` (with ``$i, $e :=``, ``else``,
``break``, ``continue``), ``with``/``else with``, ``define``/``template``/``block``,
and the built-in functions ``and or not len index slice print printf println html js
urlquery eq ne lt le gt ge``, plus ``json`` as Kapacitor adds it. With ``html=True``
every action's output is HTML-escaped as ``html/template`` does in HTML text
(Kapacitor's ``.details``); contextual escaping inside attributes or scripts is not
modelled.

Example::

    tmpl = Template.parse('{{ .Name }} is {{ if gt .Value 80.0 }}hot{{ else }}ok{{ end }}')
    tmpl.render({"Name": "cpu", "Value": 85.0})   # 'cpu is hot'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._gotemplate_funcs import BUILTINS, TemplateExecError, field_of, truth
from ._gotemplate_lex import Item, TemplateParseError, Tok, lex, lex_error
from ._govalues import (
    NO_VALUE,
    GoDuration,
    GoMonth,
    GoStruct,
    GoTime,
    GoWeekday,
    NoValue,
    StringMap,
    format_float_shortest,
    format_value,
    go_json,
    html_template_escape,
    sprintf,
)

__all__ = [
    "NO_VALUE",
    "GoDuration",
    "GoMonth",
    "GoStruct",
    "GoTime",
    "GoWeekday",
    "NoValue",
    "StringMap",
    "Template",
    "TemplateExecError",
    "TemplateParseError",
    "format_float_shortest",
    "format_value",
    "go_json",
    "sprintf",
]

#: Deepest nesting of ``{{template}}`` calls before rendering gives up.
MAX_DEPTH = 100


# == evaluation state ====================================================================


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _State:
    __slots__ = ("depth", "escape", "out", "templates", "vars")

    def __init__(self, root: Any, templates: dict[str, _Body], escape: bool) -> None:
        self.vars: list[list[Any]] = [["$", root]]
        self.out: list[str] = []
        self.templates = templates
        self.escape = escape
        self.depth = 0

    def lookup(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        raise TemplateExecError(f"undefined variable: {name}")

    def assign(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        raise TemplateExecError(f"undefined variable: {name}")


Eval = Callable[[_State, Any], Any]
Run = Callable[[_State, Any], None]
_MISSING = object()


@dataclass
class _Body:
    run: Run


def _run_all(runs: list[Run]) -> Run:
    if len(runs) == 1:
        return runs[0]

    def run(st: _State, dot: Any) -> None:
        for r in runs:
            r(st, dot)

    return run


# == parsing =============================================================================


@dataclass
class _Refs:
    """Which top-level fields a template reads; ``all`` when it reads ``.`` itself."""

    fields: set[str] = field(default_factory=set)
    all: bool = False


class _Parser:
    def __init__(self, items: list[Item], name: str, funcs: Mapping[str, Callable[..., Any]]) -> None:
        self.items = items
        self.i = 0
        self.name = name
        self.funcs = funcs
        self.scopes: list[list[str]] = [["$"]]
        self.templates: dict[str, _Body] = {}
        self.defined: set[str] = set()
        self.called: list[tuple[str, int]] = []
        self.range_depth = 0
        self.refs = _Refs()
        self.root_dot = True  # whether "." is the root data where we are

    def error(self, line: int, message: str) -> TemplateParseError:
        return lex_error(self.name, line, message)

    # -- structure ----------------------------------------------------------------------

    def parse(self) -> Run:
        run, stop = self.parse_list(top=True)
        if stop is not None:
            raise self.error(stop.line, f"unexpected {{{{{stop.tokens[0].text}}}}}")
        for target, line in self.called:
            if target not in self.templates:
                raise self.error(line, f'no such template "{target}"')
        return run

    def parse_list(self, top: bool = False) -> tuple[Run, Item | None]:
        """Parse until ``{{end}}``/``{{else}}`` (returned) or the end of the input."""
        runs: list[Run] = []
        while self.i < len(self.items):
            item = self.items[self.i]
            self.i += 1
            if item.text is not None:
                text = item.text
                runs.append(lambda st, dot, text=text: st.out.append(text))
                continue
            tokens = item.tokens
            if not tokens:
                raise self.error(item.line, "missing value for command")
            head = tokens[0]
            if head.kind == "keyword":
                word = head.text
                if word in ("end", "else"):
                    if top:
                        raise self.error(item.line, f"unexpected {{{{{word}}}}}")
                    return _run_all(runs) if runs else _noop, item
                if word == "define":
                    if not top:
                        raise self.error(item.line, "define must be at the top level")
                    self.parse_define(item)
                    continue
                runs.append(self.parse_keyword(item))
                continue
            runs.append(self.parse_action(item))
        if not top:
            raise self.error(self.items[-1].line if self.items else 1, "unexpected EOF")
        return (_run_all(runs) if runs else _noop), None

    def parse_keyword(self, item: Item) -> Run:
        word = item.tokens[0].text
        if word in ("if", "with"):
            return self.parse_branch(item, word)
        if word == "range":
            return self.parse_range(item)
        if word in ("break", "continue"):
            if self.range_depth == 0:
                raise self.error(item.line, f"{{{{{word}}}}} outside {{{{range}}}}")
            if len(item.tokens) > 1:
                raise self.error(item.line, f"unexpected {item.tokens[1].text} in {{{{{word}}}}}")
            exc = _Break if word == "break" else _Continue

            def jump(st: _State, dot: Any) -> None:
                raise exc

            return jump
        if word == "template":
            return self.parse_template_call(item)
        if word == "block":
            return self.parse_block(item)
        raise self.error(item.line, f"unexpected keyword {word}")

    def parse_branch(self, item: Item, word: str) -> Run:
        """``if`` and ``with``, with their ``else if``/``else with``/``else`` chains."""
        if not item.tokens[1:]:
            raise self.error(item.line, f"missing value for {word}")
        self.scopes.append([])
        outer_root = self.root_dot
        pipe, _ = self.parse_pipeline(item.tokens[1:], item.line, decl_ok=True)
        if word == "with":
            self.root_dot = False
        then_run, stop = self.parse_list()
        self.root_dot = outer_root
        else_run: Run | None = None
        assert stop is not None
        if stop.tokens[0].text == "else":
            rest = stop.tokens[1:]
            if rest and rest[0].kind == "keyword" and rest[0].text in ("if", "with"):
                # "else if ..." / "else with ...": a nested branch that shares our {{end}}
                else_run = self.parse_branch(Item(None, rest, stop.line), rest[0].text)
            else:
                if rest:
                    raise self.error(stop.line, f"unexpected {rest[0].text} in else")
                else_run, stop = self.parse_list()
                assert stop is not None
                if stop.tokens[0].text != "end" or len(stop.tokens) > 1:
                    raise self.error(stop.line, "expected end; found else")
        elif len(stop.tokens) > 1:
            raise self.error(stop.line, f"unexpected {stop.tokens[1].text} in end")
        self.scopes.pop()
        if word == "if":

            def run_if(st: _State, dot: Any) -> None:
                mark = len(st.vars)
                try:
                    if truth(pipe(st, dot)):
                        then_run(st, dot)
                    elif else_run is not None:
                        else_run(st, dot)
                finally:
                    del st.vars[mark:]

            return run_if

        def run_with(st: _State, dot: Any) -> None:
            mark = len(st.vars)
            try:
                value = pipe(st, dot)
                if truth(value):
                    then_run(st, value)
                elif else_run is not None:
                    else_run(st, dot)
            finally:
                del st.vars[mark:]

        return run_with

    def parse_range(self, item: Item) -> Run:
        self.scopes.append([])
        tokens = item.tokens[1:]
        if not tokens:
            raise self.error(item.line, "missing value for range")
        names: list[str] = []
        if len(tokens) >= 2 and tokens[0].kind == "var":
            if (
                tokens[1].kind == ","
                and len(tokens) >= 4
                and tokens[2].kind == "var"
                and tokens[3].kind
                in (
                    ":=",
                    "=",
                )
            ):
                names = [tokens[0].text, tokens[2].text]
                assign = tokens[3].kind == "="
                tokens = tokens[4:]
            elif tokens[1].kind in (":=", "="):
                names = [tokens[0].text]
                assign = tokens[1].kind == "="
                tokens = tokens[2:]
            if names:
                for n in names:
                    if assign:
                        self.check_var(n, item.line)
                    else:
                        self.scopes[-1].append(n)
        pipe, _ = self.parse_pipeline(tokens, item.line, decl_ok=False)
        outer_root = self.root_dot
        self.root_dot = False
        self.range_depth += 1
        body, stop = self.parse_list()
        self.range_depth -= 1
        self.root_dot = outer_root
        else_run: Run | None = None
        assert stop is not None
        if stop.tokens[0].text == "else":
            if len(stop.tokens) > 1:
                raise self.error(stop.line, f"unexpected {stop.tokens[1].text} in else")
            else_run, stop = self.parse_list()
            assert stop is not None
            if stop.tokens[0].text != "end":
                raise self.error(stop.line, "expected end; found else")
        self.scopes.pop()

        def run_range(st: _State, dot: Any) -> None:
            mark = len(st.vars)
            try:
                value = pipe(st, dot)
                pairs = _iterate(value)
                if not pairs:
                    if else_run is not None:
                        else_run(st, dot)
                    return
                for key, elem in pairs:
                    if len(names) == 1:
                        st.vars.append([names[0], elem])
                    elif len(names) == 2:
                        st.vars.append([names[0], key])
                        st.vars.append([names[1], elem])
                    try:
                        body(st, elem)
                    except _Continue:
                        pass
                    except _Break:
                        break
                    finally:
                        del st.vars[mark:]
            finally:
                del st.vars[mark:]

        return run_range

    def parse_define(self, item: Item) -> None:
        tokens = item.tokens
        if len(tokens) != 2 or tokens[1].kind != "string":
            raise self.error(item.line, "define needs a template name in quotes")
        target = tokens[1].value
        if target in self.defined:
            raise self.error(item.line, f'template: multiple definition of template "{target}"')
        self.defined.add(target)
        saved_scopes, saved_root = self.scopes, self.root_dot
        self.scopes, self.root_dot = [["$"]], False
        body, stop = self.parse_list()
        self.scopes, self.root_dot = saved_scopes, saved_root
        assert stop is not None
        if stop.tokens[0].text != "end":
            raise self.error(stop.line, "unexpected else in define")
        self.templates[target] = _Body(body)

    def parse_template_call(self, item: Item) -> Run:
        tokens = item.tokens
        if len(tokens) < 2 or tokens[1].kind != "string":
            raise self.error(item.line, "template needs a template name in quotes")
        target = tokens[1].value
        self.called.append((target, item.line))
        pipe: Eval | None = None
        if len(tokens) > 2:
            pipe, _ = self.parse_pipeline(tokens[2:], item.line, decl_ok=False)
        templates = self.templates
        self.refs.all = True

        def run_template(st: _State, dot: Any) -> None:
            value = pipe(st, dot) if pipe is not None else None
            if st.depth >= MAX_DEPTH:
                raise TemplateExecError(f"exceeded maximum template depth ({MAX_DEPTH})")
            saved = st.vars
            st.vars = [["$", value]]
            st.depth += 1
            try:
                templates[target].run(st, value)
            finally:
                st.depth -= 1
                st.vars = saved

        return run_template

    def parse_block(self, item: Item) -> Run:
        tokens = item.tokens
        if len(tokens) < 2 or tokens[1].kind != "string":
            raise self.error(item.line, "block needs a template name in quotes")
        target = tokens[1].value
        call = self.parse_template_call(item)
        saved_scopes, saved_root = self.scopes, self.root_dot
        self.scopes, self.root_dot = [["$"]], False
        body, stop = self.parse_list()
        self.scopes, self.root_dot = saved_scopes, saved_root
        assert stop is not None
        if stop.tokens[0].text != "end":
            raise self.error(stop.line, "unexpected else in block")
        if target not in self.defined:
            self.defined.add(target)
            self.templates[target] = _Body(body)
        return call

    # -- actions and pipelines ------------------------------------------------------------

    def parse_action(self, item: Item) -> Run:
        pipe, declares = self.parse_pipeline(item.tokens, item.line, decl_ok=True)
        if declares:
            return lambda st, dot: (pipe(st, dot), None)[1]
        ends_in_html = item.tokens[-1].kind == "ident" and item.tokens[-1].text == "html"

        def run_action(st: _State, dot: Any) -> None:
            text = format_value(pipe(st, dot))
            if st.escape and not ends_in_html:
                text = html_template_escape(text)
            st.out.append(text)

        return run_action

    def parse_pipeline(self, tokens: list[Tok], line: int, decl_ok: bool) -> tuple[Eval, bool]:
        """A pipeline, optionally starting with ``$x :=`` or ``$x =``; returns its
        evaluator and whether it declares or assigns (and so prints nothing)."""
        decl: tuple[str, bool] | None = None
        if len(tokens) >= 2 and tokens[0].kind == "var" and tokens[1].kind in (":=", "="):
            if not decl_ok:
                raise self.error(line, "variable declaration not allowed here")
            decl = (tokens[0].text, tokens[1].kind == "=")
            tokens = tokens[2:]
        if not tokens:
            raise self.error(line, "missing value for command")
        cmds = [self.parse_command(part, line) for part in _split(tokens, "|", self, line)]
        if decl is not None:
            name, assign = decl
            if assign:
                self.check_var(name, line)
            else:
                self.scopes[-1].append(name)

        def run_pipeline(st: _State, dot: Any) -> Any:
            value: Any = _MISSING
            for cmd in cmds:
                value = cmd(st, dot, value)
            return value

        evaluate: Eval = run_pipeline if len(cmds) > 1 else (lambda st, dot, c=cmds[0]: c(st, dot, _MISSING))
        if decl is None:
            return evaluate, False
        name, assign = decl

        def run_decl(st: _State, dot: Any) -> Any:
            value = evaluate(st, dot)
            if assign:
                st.assign(name, value)
            else:
                st.vars.append([name, value])
            return value

        return run_decl, True

    def check_var(self, name: str, line: int) -> None:
        if not any(name in scope for scope in self.scopes):
            raise self.error(line, f'undefined variable "{name}"')

    def parse_command(self, tokens: list[Tok], line: int) -> Callable[[_State, Any, Any], Any]:
        if not tokens:
            raise self.error(line, "missing value for command")
        operands = self.parse_operands(tokens, line)
        head_kind, head = operands[0]
        args = [evaluator for _, evaluator in operands[1:]]
        if head_kind == "func":
            fname = tokens[0].text
            fn = self.funcs[fname]
            if fname in ("and", "or"):
                want = fname == "or"

                def run_logic(st: _State, dot: Any, final: Any) -> Any:
                    values = [*args, (lambda s, d: final)] if final is not _MISSING else args
                    if not values:
                        raise TemplateExecError(f"wrong number of args for {fname}: want at least 1 got 0")
                    value: Any = None
                    for arg in values:
                        value = arg(st, dot)
                        if truth(value) == want:
                            return value
                    return value

                return run_logic

            def run_func(st: _State, dot: Any, final: Any) -> Any:
                values = [a(st, dot) for a in args]
                if final is not _MISSING:
                    values.append(final)
                try:
                    return fn(*values)
                except TypeError as err:
                    raise TemplateExecError(f"error calling {fname}: {err}") from None

            return run_func
        if head_kind == "chain":
            chain_eval, fields = head

            def run_method(st: _State, dot: Any, final: Any) -> Any:
                values = [a(st, dot) for a in args]
                if final is not _MISSING:
                    values.append(final)
                receiver = chain_eval(st, dot)
                for name in fields[:-1]:
                    receiver = field_of(receiver, name, None)
                return field_of(receiver, fields[-1], values)

            return run_method
        if head_kind == "nil":
            raise self.error(line, "nil is not a command")
        if args:
            raise self.error(line, f"can't give argument to non-function {tokens[0].text}")
        value_eval = head

        def run_value(st: _State, dot: Any, final: Any) -> Any:
            if final is not _MISSING:
                raise TemplateExecError(f"can't give argument to non-function {tokens[0].text}")
            return value_eval(st, dot)

        return run_value

    def parse_operands(self, tokens: list[Tok], line: int) -> list[tuple[str, Any]]:
        """Split a command into operands: ``("func", None)``, ``("chain", (eval, fields))``
        for a field chain that may take arguments, ``("nil", None)`` or ``("value", eval)``."""
        operands: list[tuple[str, Any]] = []
        i = 0
        first = True
        while i < len(tokens):
            tok = tokens[i]
            if not first and not tok.spaced and tok.kind != "(":
                raise self.error(line, f"missing space before {tok.text}")
            i, operand = self.parse_operand(tokens, i, line, first)
            operands.append(operand)
            first = False
        return operands

    def parse_operand(self, tokens: list[Tok], i: int, line: int, first: bool) -> tuple[int, tuple[str, Any]]:
        tok = tokens[i]
        base: Eval
        if tok.kind == "ident":
            if tok.text not in self.funcs:
                raise self.error(line, f'function "{tok.text}" not defined')
            if first:
                return i + 1, ("func", None)
            fn = self.funcs[tok.text]
            if fn is None:
                raise self.error(line, f"{tok.text} needs arguments")
            return i + 1, ("value", lambda st, dot, fn=fn: fn())
        if tok.kind == "keyword":
            raise self.error(line, f"unexpected <{tok.text}> in command")
        if tok.kind == "nil":
            if first:
                return i + 1, ("nil", None)
            return i + 1, ("value", lambda st, dot: None)
        if tok.kind in ("string", "number", "bool", "char"):
            value = tok.value
            base = lambda st, dot, v=value: v  # noqa: E731
            i += 1
        elif tok.kind == "dot":
            if self.root_dot:
                self.refs.all = True
            base = lambda st, dot: dot  # noqa: E731
            i += 1
        elif tok.kind == "field":
            fields = []
            while i < len(tokens) and tokens[i].kind == "field" and (not fields or not tokens[i].spaced):
                fields.append(tokens[i].text)
                i += 1
            if self.root_dot:
                self.refs.fields.add(fields[0])
            return i, self.chain(lambda st, dot: dot, fields, first)
        elif tok.kind == "var":
            self.check_var(tok.text, line)
            name = tok.text
            base = lambda st, dot, name=name: st.lookup(name)  # noqa: E731
            i += 1
            if name == "$":
                if i < len(tokens) and tokens[i].kind == "field" and not tokens[i].spaced:
                    self.refs.fields.add(tokens[i].text)
                else:
                    self.refs.all = True
        elif tok.kind == "(":
            depth = 0
            j = i
            while j < len(tokens):
                if tokens[j].kind == "(":
                    depth += 1
                elif tokens[j].kind == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= len(tokens):
                raise self.error(line, "unclosed left paren")
            base, _ = self.parse_pipeline(tokens[i + 1 : j], line, decl_ok=False)
            i = j + 1
        else:
            raise self.error(line, f"unexpected {tok.text!r} in operand")
        fields = []
        while i < len(tokens) and tokens[i].kind == "field" and not tokens[i].spaced:
            fields.append(tokens[i].text)
            i += 1
        if fields:
            if tok.kind in ("string", "number", "bool", "char"):
                raise self.error(line, f"unexpected . after term {tok.text!r}")
            return i, self.chain(base, fields, first)
        return i, ("value", base)

    def chain(self, base: Eval, fields: list[str], first: bool) -> tuple[str, Any]:
        if first:
            return ("chain", (base, fields))

        def run_chain(st: _State, dot: Any) -> Any:
            value = base(st, dot)
            for name in fields:
                value = field_of(value, name, None)
            return value

        return ("value", run_chain)


def _noop(st: _State, dot: Any) -> None:
    return None


def _split(tokens: list[Tok], sep: str, parser: _Parser, line: int) -> list[list[Tok]]:
    """Split tokens on ``sep`` at parenthesis depth 0."""
    parts: list[list[Tok]] = [[]]
    depth = 0
    for tok in tokens:
        if tok.kind == "(":
            depth += 1
        elif tok.kind == ")":
            depth -= 1
            if depth < 0:
                raise parser.error(line, "unexpected right paren")
        if tok.kind == sep and depth == 0:
            parts.append([])
            continue
        parts[-1].append(tok)
    if any(not p for p in parts):
        raise parser.error(line, "missing command in pipeline")
    return parts


def _iterate(value: Any) -> list[tuple[Any, Any]]:
    """What ``range`` walks: slices by index, maps by sorted key, ints as 0..n-1."""
    if value is None or value is NO_VALUE:
        return []
    if isinstance(value, list | tuple):
        return list(enumerate(value))
    if isinstance(value, Mapping):
        return [(k, value[k]) for k in sorted(value)]
    if isinstance(value, int) and not isinstance(value, bool):
        return [(i, i) for i in range(int(value))]
    raise TemplateExecError(f"range can't iterate over {format_value(value)}")


# == the public face =====================================================================


class Template:
    """A parsed Go template; :meth:`render` it as often as you like."""

    __slots__ = ("_refs", "_run", "_templates", "html", "name", "text")

    def __init__(
        self, text: str, name: str, html: bool, run: Run, templates: dict[str, _Body], refs: _Refs
    ) -> None:
        self.text = text
        self.name = name
        self.html = html
        self._run = run
        self._templates = templates
        self._refs = refs

    @classmethod
    def parse(
        cls,
        text: str,
        name: str = "template",
        *,
        html: bool = False,
        funcs: Mapping[str, Callable[..., Any]] | None = None,
    ) -> Template:
        """Parse ``text``; raises :class:`TemplateParseError` for anything malformed or
        unsupported. ``funcs`` adds functions to the built-in ones."""
        all_funcs = {**BUILTINS, "and": None, "or": None, **(funcs or {})}
        parser = _Parser(lex(text, name), name, all_funcs)  # type: ignore[arg-type]
        try:
            run = parser.parse()
        except RecursionError:  # the parser recurses along nested actions and pipelines
            raise TemplateParseError(f"template: {name}: the template nests too deeply") from None
        return cls(text, name, html, run, parser.templates, parser.refs)

    def render(self, data: Any) -> str:
        """Execute the template on ``data``; raises :class:`TemplateExecError`.

        ``None`` is "no data", as Go's ``Execute(w, nil)``: ``{{ . }}`` prints
        ``<no value>``."""
        if data is None:
            data = NO_VALUE
        st = _State(data, self._templates, self.html)
        try:
            self._run(st, data)
        except TemplateExecError as err:
            raise TemplateExecError(f"template: {self.name}: {err}") from None
        except RecursionError:
            raise TemplateExecError(f"template: {self.name}: nesting too deep") from None
        return "".join(st.out)

    @property
    def uses_all_data(self) -> bool:
        """Whether the template reads the whole data (``{{ . }}``, ``{{ json . }}``)."""
        return self._refs.all

    @property
    def root_fields(self) -> frozenset[str]:
        """The top-level fields the template reads (``.Name``, ``$.Tags``...)."""
        return frozenset(self._refs.fields)

    def check_fields(self, allowed: set[str] | frozenset[str]) -> None:
        """Raise :class:`TemplateParseError` if the template reads a top-level field not in
        ``allowed``: a misspelt ``.Feilds`` is caught when the task is defined."""
        unknown = sorted(self.root_fields - set(allowed))
        if unknown:
            raise TemplateParseError(
                f"template: {self.name}: can't evaluate field {unknown[0]}; "
                f"available: {', '.join(sorted(allowed))}"
            )

    def __repr__(self) -> str:
        return f"Template({self.name!r}, {self.text!r})"
