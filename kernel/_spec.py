"""What plugins declare: node, alert handler, source and lambda function specs.

A spec is a frozen description that the TICKscript checker can reason about before
anything runs: the name a user writes, the arguments and properties with their
types, the edge types consumed and produced, and a factory for the running object.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._node import NodeContext


class EdgeType(enum.Enum):
    """What travels on an edge: single points (stream) or batches."""

    STREAM = "stream"
    BATCH = "batch"


class ValueType(enum.Enum):
    """The types a TICKscript value can have, as the checker sees them."""

    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DURATION = "duration"
    REGEX = "regex"
    LAMBDA = "lambda"
    STAR = "star"
    LIST = "list"
    NODE = "node"
    ANY = "any"


class Duration(int):
    """A duration in nanoseconds (Go's ``time.Duration``), distinct from a plain int.

    Scripts hand durations to nodes as this type, so ``sample(10s)`` and ``sample(10)``
    stay different things; arithmetic on it gives plain ints.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Duration({int(self)})"


class Star:
    """The value of ``*`` in a script (``groupBy(*)``); use the :data:`STAR` singleton."""

    _instance: Star | None = None

    def __new__(cls) -> Star:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "STAR"


STAR = Star()


@dataclass(frozen=True)
class Params:
    """The argument types of a chaining method or property.

    ``types`` are the positional parameters, each a tuple of accepted types; when
    ``variadic`` is set, the last entry may repeat any number of times (including
    zero). ``min_args`` defaults to ``len(types)`` (minus the repeated one).
    An INT argument is accepted where a FLOAT is expected, as Kapacitor does.
    """

    types: tuple[tuple[ValueType, ...], ...] = ()
    variadic: bool = False
    min_args: int | None = None

    @property
    def minimum(self) -> int:
        if self.min_args is not None:
            return self.min_args
        return len(self.types) - 1 if self.variadic else len(self.types)

    @property
    def maximum(self) -> int | None:
        return None if self.variadic else len(self.types)


def params(
    *types: ValueType | tuple[ValueType, ...], variadic: bool = False, min_args: int | None = None
) -> Params:
    """Shorthand: ``params(V.STRING, (V.INT, V.FLOAT), variadic=True)``."""
    norm = tuple(t if isinstance(t, tuple) else (t,) for t in types)
    return Params(norm, variadic, min_args)


NO_PARAMS = Params()


@dataclass(frozen=True)
class PropertySpec:
    """A ``.name(args)`` property of a node or handler.

    With ``repeatable`` set the property may be given several times and every call
    is kept (``.tag(...)`` of sideload); otherwise the last call wins. A property
    without parameters is a flag: calling it sets it to true.
    """

    name: str
    params: Params = NO_PARAMS
    repeatable: bool = False
    doc: str = ""


@dataclass(frozen=True)
class NodeSpec:
    """A node type a user can chain with ``|name(...)``.

    ``wants`` lists the edge types accepted from parents (empty for sources);
    ``provides`` is the output edge type, or None for "same as the input".
    ``kind`` names the node in DOT graphs and stats (``window2``, ``http_out4``).
    ``source_var`` makes the node a predefined variable (``stream``, ``batch``).
    ``handlers`` says the node takes alert handlers as properties (``.log(...)``).
    ``multi_parent`` marks nodes whose NODE arguments are extra parents (join,
    union); they always run in a task of their own.
    ``expand`` lets a chaining method build several nodes (``deadman``); it gets
    the builder and returns the node the chain continues from.
    """

    name: str
    kind: str
    factory: Callable[[NodeContext], Any] | None
    args: Params = NO_PARAMS
    properties: Mapping[str, PropertySpec] = field(default_factory=dict)
    wants: tuple[EdgeType, ...] = (EdgeType.STREAM, EdgeType.BATCH)
    provides: EdgeType | None = None
    source_var: bool = False
    handlers: bool = False
    multi_parent: bool = False
    expand: Callable[..., Any] | None = None
    doc: str = ""


@dataclass(frozen=True)
class HandlerSpec:
    """An alert handler (``.log()``, ``.post()``, ...).

    Every handler is built from *options*, the mapping a Kapacitor topic handler
    spec carries (``{"kind": "log", "options": {"path": "/tmp/a.log"}}``). A script's
    ``.log('/tmp/a.log').mode(0644)`` becomes options first (:meth:`options_from_script`):
    positional arguments are named by ``arg_names`` (a variadic last one collects a
    list) and each property by its kebab-case name (``captureResponse`` ->
    ``capture-response``), unless ``script_options`` maps them itself. So there is one
    way in, :meth:`build`, for scripts and for the topic handler API alike.

    ``factory(options, section)`` gets the options and the handler's section of the
    server configuration (``config_section``: a table, a list of tables for
    ``[[httppost]]``-style sections, or None) and returns an object with
    ``async def handle(event)``; it raises ``ValueError`` for bad options.
    """

    name: str
    factory: Callable[..., Any]
    args: Params = NO_PARAMS
    properties: Mapping[str, PropertySpec] = field(default_factory=dict)
    config_section: str | None = None
    arg_names: tuple[str, ...] = ()
    script_options: Callable[[HandlerConfig], dict[str, Any]] | None = None
    doc: str = ""

    def options_from_script(self, config: HandlerConfig) -> dict[str, Any]:
        """The options equivalent to a handler written in a script."""
        if self.script_options is not None:
            return self.script_options(config)
        options: dict[str, Any] = {}
        names = self.arg_names
        for i, value in enumerate(config.args):
            if self.args.variadic and names and i >= len(names) - 1:
                options.setdefault(names[-1], []).append(value)
            elif i < len(names):
                options[names[i]] = value
        for prop, calls in config.properties.items():
            key = _kebab(prop)
            spec = self.properties.get(prop)
            if spec is not None and spec.repeatable:
                options[key] = [c[0] if len(c) == 1 else list(c) for c in calls]
            elif calls:
                last = calls[-1]
                options[key] = True if not last else (last[0] if len(last) == 1 else list(last))
        return options

    def build(self, options: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> Any:
        """A handler from ``options``, with its section of ``config`` (all sections)."""
        section = config.get(self.config_section) if config and self.config_section else None
        return self.factory(dict(options), section)


def _kebab(name: str) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in name)


@dataclass(frozen=True)
class HandlerConfig:
    """A handler as written in a script: its arguments and property calls.

    The TICKscript builder sets ``spec`` to the handler's :class:`HandlerSpec` (it
    looks it up to check the properties anyway), so the alert node can build the
    handler without a registry of its own.
    """

    name: str
    args: tuple[Any, ...]
    properties: Mapping[str, list[tuple[Any, ...]]]
    pos: tuple[int, int] = (0, 0)
    spec: HandlerSpec | None = field(default=None, compare=False, repr=False)

    def prop(self, name: str, default: Any = None) -> Any:
        """The last value given to a single-argument property."""
        calls = self.properties.get(name)
        if not calls:
            return default
        last = calls[-1]
        return last[0] if len(last) == 1 else (last or True)


@dataclass(frozen=True)
class SourceSpec:
    """A way for data to come in (UDP listener, InfluxDB subscription, ...).

    ``run(kernel, config, task_status=...)`` is started in the server's nursery when
    its config section is enabled.
    """

    name: str
    run: Callable[..., Any]
    config_section: str
    doc: str = ""


@dataclass(frozen=True)
class FunctionSpec:
    """A function callable inside lambda expressions.

    ``impl`` is called with the evaluated arguments. For ``stateful`` functions
    ``impl`` is a factory called once per group and lambda call site; it returns the
    callable holding that group's state (Kapacitor's ``sigma``, ``count``, ``spread``).
    ``arity`` is the accepted number of arguments, None for any.
    """

    name: str
    impl: Callable[..., Any]
    arity: tuple[int, ...] | None = None
    stateful: bool = False
    doc: str = ""
