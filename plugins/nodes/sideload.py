"""``|sideload()``: add fields and tags looked up in a tree of JSON or YAML files.

The ``.order()`` templates, filled in with each point's tags, name the files to look
in, most specific first; the first file that has a key wins, else its default::

    stream
        |from()
            .measurement('cpu')
        |sideload()
            .source('file:///etc/kapacitor/thresholds')
            .order('host/{{.host}}.yml', 'region/{{.region}}.yml', 'default.yml')
            .field('cpu_threshold', 95.0)
            .tag('team', 'ops')

The files are read when the task starts, and again on ``POST
/kapacitor/v1/sideload/reload`` (the ``sideload`` service shares one source per URL
between nodes; without it, each node reads its own). A loaded value is converted to the
type of its default (``'80'`` becomes ``80.0`` for a float default); a value that
cannot be converted falls back to the default. The templates are Go templates over
the point's tags, as in Kapacitor.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import yaml

from leyden.kernel import (
    Batch,
    Chunk,
    Message,
    Node,
    NodeContext,
    NodeSpec,
    Point,
    PointError,
    PropertySpec,
    ValueType,
    hookimpl,
    params,
)
from leyden.tick.gotemplate import Template

log = logging.getLogger("leyden.node.sideload")

#: Distinct tag combinations whose lookups are remembered before the memo is reset.
_MAX_MEMO = 100_000
#: Lookup failures logged per node before it falls silent (the count goes on in the stats).
_LOGGED_ERRORS = 10


class FileSource:
    """Every file under a directory, by its path relative to it: key -> value."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme != "file":
            raise ValueError(f"unsupported source scheme {parsed.scheme!r}, must be 'file'")
        root = Path(unquote(parsed.path))
        if not root.is_absolute():
            raise ValueError(f"sideload source path must be absolute {str(root)!r}")
        self.root = root
        self.cache: dict[str, dict[str, Any]] = {}
        #: Bumped by every reload, so nodes know their remembered lookups are stale.
        self.version = 0
        self.reload()

    def reload(self) -> None:
        """Read the whole tree again (Kapacitor's ``/sideload/reload``)."""
        cache: dict[str, dict[str, Any]] = {}
        for directory, _subdirs, files in os.walk(self.root):
            for name in files:
                path = Path(directory, name)
                cache[path.relative_to(self.root).as_posix()] = _read_values(path)
        self.cache = cache
        self.version += 1

    def lookup(self, order: list[str], key: str) -> Any:
        for path in order:
            values = self.cache.get(path)
            if values is not None and key in values:
                return values[key]
        return None


def _read_values(path: Path) -> dict[str, Any]:
    suffix = path.suffix
    if suffix not in (".json", ".yml", ".yaml"):
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        values = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as err:
        raise ValueError(f"failed to read sideload values {str(path)!r}: {err}") from err
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ValueError(f"sideload values {str(path)!r} must be a map of keys to values")
    return values


class SideloadNode(Node):
    """Adds the looked-up fields and tags to every point."""

    def __init__(self, ctx: NodeContext) -> None:
        source = ctx.prop("source")
        if not source:
            raise ValueError("sideload needs a .source()")
        service = ctx.service("sideload")
        self.source = FileSource(source) if service is None else service.source(source, FileSource)
        self._memo_version = self.source.version
        orders = ctx.calls("order")
        self.order = [Template.parse(str(t), name="order") for t in (orders[-1] if orders else ())]
        self.fields: dict[str, Any] = {str(name): dflt for name, dflt in ctx.calls("field")}
        self.tags: dict[str, str] = {str(name): str(dflt) for name, dflt in ctx.calls("tag")}
        self._memo: dict[tuple[tuple[str, str], ...], tuple[dict[str, Any], dict[str, str]]] = {}
        self.label = f"task {ctx.task_id}, {ctx.name}"
        self._logged = 0

    def process(self, chunk: Chunk) -> Chunk:
        if self._memo_version != self.source.version:
            self._memo.clear()
            self._memo_version = self.source.version
        out: list[Message] = []
        for msg in chunk:
            kind = type(msg)
            if kind is Point:
                out.append(self._sideload(msg))  # type: ignore[arg-type]
            elif kind is Batch:
                out.append(msg.replace(points=[self._sideload(p) for p in msg.points]))  # type: ignore[union-attr]
            else:
                out.append(msg)
        return out

    def _sideload(self, p: Point) -> Point:
        fields, tags = self._values(p.tags)
        changes: dict[str, Any] = {}
        if fields:
            changes["fields"] = {**p.fields, **fields}
        if tags:
            new_tags = {**p.tags, **tags}
            changes["tags"] = new_tags
            if any(t in tags for t in p.dims.tag_names):
                changes["group"] = p.dims.group_id(p.name, new_tags)
        return p.replace(**changes) if changes else p

    def _values(self, point_tags: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
        """The fields and tags to set for a point with these tags (remembered per tag set)."""
        key = tuple(point_tags.items())
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= _MAX_MEMO:
                self._memo.clear()
            try:
                paths = [t.render(point_tags) for t in self.order]
            except PointError as err:
                self._error("failed to evaluate order template", err)
                found = ({}, {})
            else:
                fields = {k: self._load(paths, k, dflt) for k, dflt in self.fields.items()}
                tags = {k: self._load(paths, k, dflt) for k, dflt in self.tags.items()}
                found = (fields, tags)
            self._memo[key] = found
        return found

    def _load(self, paths: list[str], key: str, default: Any) -> Any:
        value = self.source.lookup(paths, key)
        if value is None:
            return default
        try:
            return convert(value, default)
        except ValueError as err:
            self._error(f"failed to load key {key!r}", err)
            return default

    def _error(self, what: str, err: Exception) -> None:
        """Count a failed lookup; log the first few (each new series can fail anew)."""
        self.stats.errors += 1
        if self._logged < _LOGGED_ERRORS:
            self._logged += 1
            log.warning("%s: %s: %s", self.label, what, err)


def convert(value: Any, default: Any) -> Any:
    """``value`` as the type of ``default``, as Kapacitor converts sideloaded values."""
    source_type = _go_type(value)
    target = _go_type(default)
    if target == "int":
        if source_type == "int":
            return value
        if source_type == "float" and float(int(value)) == value:
            return int(value)
        if source_type == "string":
            return int(value)
    elif target == "float":
        if source_type in ("int", "float"):
            return float(value)
        if source_type == "string":
            return float(value)
    elif target == "bool":
        if source_type == "bool":
            return value
        if source_type == "string":
            return _parse_bool(value)
    elif target == "string":
        if source_type == "int":
            return str(value)
        if source_type == "float":
            return _format_float(value)
        if source_type == "bool":
            return "true" if value else "false"
        if source_type == "string":
            return value
    raise ValueError(f"cannot convert value of type {source_type} to type {target}")


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _parse_bool(text: str) -> bool:
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise ValueError(f"cannot convert string {text!r} to bool")


def _format_float(value: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'f', -1, 64)``: shortest digits, no exponent."""
    text = format(Decimal(repr(value)), "f")
    return text[:-2] if text.endswith(".0") else text


SPEC = NodeSpec(
    name="sideload",
    kind="sideload",
    factory=SideloadNode,
    properties={
        "source": PropertySpec("source", params(ValueType.STRING), doc="file:// URL of the directory."),
        "order": PropertySpec(
            "order", params(ValueType.STRING, variadic=True, min_args=1), doc="File templates, in order."
        ),
        "field": PropertySpec(
            "field",
            params(ValueType.STRING, (ValueType.STRING, ValueType.INT, ValueType.FLOAT, ValueType.BOOL)),
            repeatable=True,
            doc="A field to load, with its default.",
        ),
        "tag": PropertySpec(
            "tag", params(ValueType.STRING, ValueType.STRING), repeatable=True, doc="A tag to load."
        ),
    },
    doc="Adds fields and tags looked up in files.",
)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [SPEC]
