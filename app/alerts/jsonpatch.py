"""JSON Patch (RFC 6902), for ``PATCH`` on a topic handler as Kapacitor takes it::

    [{"op": "replace", "path": "/options/channel", "value": "#testing"},
     {"op": "remove", "path": "/match"}]

Operations ``add``, ``remove``, ``replace``, ``move``, ``copy`` and ``test`` on JSON
Pointers (RFC 6901). A patch applies to a copy: the document passed in is unchanged.
"""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    """The patch is malformed or does not apply to the document."""


def apply_patch(document: Any, patch: Any) -> Any:
    """The document with every operation of ``patch`` applied in order."""
    if not isinstance(patch, list):
        raise PatchError("a JSON patch is an array of operations")
    doc = copy.deepcopy(document)
    for op in patch:
        doc = _apply(doc, op)
    return doc


def _apply(doc: Any, op: Any) -> Any:
    if not isinstance(op, dict) or not isinstance(op.get("op"), str) or not isinstance(op.get("path"), str):
        raise PatchError(f"invalid operation {op!r}: needs string 'op' and 'path'")
    name, path = op["op"], op["path"]
    if name in ("add", "replace", "test") and "value" not in op:
        raise PatchError(f"{name} operation on {path!r} needs a 'value'")
    if name == "add":
        return _add(doc, path, copy.deepcopy(op["value"]))
    if name == "remove":
        return _remove(doc, path)[0]
    if name == "replace":
        _get(doc, path)
        if path == "":
            return copy.deepcopy(op["value"])
        return _add(_remove(doc, path)[0], path, copy.deepcopy(op["value"]))
    if name in ("move", "copy"):
        source = op.get("from")
        if not isinstance(source, str):
            raise PatchError(f"{name} operation on {path!r} needs a string 'from'")
        if name == "move":
            if path.startswith(source + "/"):
                raise PatchError(f"cannot move {source!r} into itself")
            doc, value = _remove(doc, source)
        else:
            value = copy.deepcopy(_get(doc, source))
        return _add(doc, path, value)
    if name == "test":
        if _get(doc, path) != op["value"]:
            raise PatchError(f"test failed: {path!r} is not {op['value']!r}")
        return doc
    raise PatchError(f"unknown operation {name!r}")


def _tokens(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _index(container: list[Any], token: str, path: str, *, end_ok: bool = False) -> int:
    if token == "-" and end_ok:
        return len(container)
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise PatchError(f"invalid array index in {path!r}")
    index = int(token)
    if index > len(container) or (index == len(container) and not end_ok):
        raise PatchError(f"array index out of range in {path!r}")
    return index


def _parent(doc: Any, path: str) -> tuple[Any, str]:
    tokens = _tokens(path)
    target = doc
    for token in tokens[:-1]:
        target = _child(target, token, path)
    return target, tokens[-1]


def _child(target: Any, token: str, path: str) -> Any:
    if isinstance(target, dict):
        if token not in target:
            raise PatchError(f"{path!r} does not exist")
        return target[token]
    if isinstance(target, list):
        return target[_index(target, token, path)]
    raise PatchError(f"{path!r} does not exist")


def _get(doc: Any, path: str) -> Any:
    target = doc
    for token in _tokens(path):
        target = _child(target, token, path)
    return target


def _add(doc: Any, path: str, value: Any) -> Any:
    if path == "":
        return value
    parent, token = _parent(doc, path)
    if isinstance(parent, dict):
        parent[token] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, token, path, end_ok=True), value)
    else:
        raise PatchError(f"cannot add at {path!r}")
    return doc


def _remove(doc: Any, path: str) -> tuple[Any, Any]:
    if path == "":
        raise PatchError("cannot remove the whole document")
    parent, token = _parent(doc, path)
    if isinstance(parent, dict):
        if token not in parent:
            raise PatchError(f"{path!r} does not exist")
        return doc, parent.pop(token)
    if isinstance(parent, list):
        return doc, parent.pop(_index(parent, token, path))
    raise PatchError(f"{path!r} does not exist")
