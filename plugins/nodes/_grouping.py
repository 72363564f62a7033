"""Regrouping points by tags, shared by ``|from().groupBy()`` and ``|groupBy()``.

Computing Kapacitor's group id string for every point would dominate a grouping
node's cost, so ids are cached by the tuple of the grouping tags' values (a C-level
``map`` over ``dict.get``); with ``*`` the dimensions themselves are cached by the
point's tag keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

from leyden.kernel import NIL_GROUP, STAR, Dimensions, GroupID, Point

#: Cached group ids per grouper before the cache is dropped and rebuilt.
_MAX_CACHED = 100_000

GroupIdOf = Callable[[str, dict[str, str]], GroupID]


def tag_arguments(args: Iterable[Any]) -> tuple[tuple[str, ...], bool]:
    """The tag names given to ``groupBy`` (lists flattened) and whether ``*`` was one."""
    names: list[str] = []
    star = False
    for arg in args:
        if arg is STAR:
            star = True
        elif isinstance(arg, list | tuple):
            sub, sub_star = tag_arguments(arg)
            names.extend(sub)
            star = star or sub_star
        else:
            names.append(str(arg))
    return tuple(names), star


class _GroupIds(dict[Any, GroupID]):
    """Group ids by the values of the grouping tags, computed on first use.

    A key is the tag value (one grouping tag) or the tuple of values, paired with
    the measurement when grouping by name; a miss costs one ``Dimensions.group_id``.
    """

    def __init__(self, dims: Dimensions) -> None:
        super().__init__()
        self.dims = dims
        self.single = len(dims.tag_names) == 1

    def __missing__(self, key: Any) -> GroupID:
        name, values = key if self.dims.by_name else ("", key)
        if self.single:
            values = (values,)
        if len(self) >= _MAX_CACHED:
            self.clear()
        gid = self[key] = self.dims.group_id(name, dict(zip(self.dims.tag_names, values, strict=True)))
        return gid


def group_id_function(dims: Dimensions) -> GroupIdOf:
    """A cached ``dims.group_id`` for the points of one set of dimensions."""
    names = dims.tag_names
    if not names:
        if dims.by_name:
            return lambda name, tags: name
        return lambda name, tags: NIL_GROUP
    ids = _GroupIds(dims)
    if len(names) == 1:
        (tag,) = names
        if dims.by_name:
            return lambda name, tags: ids[(name, tags.get(tag, ""))]
        return lambda name, tags: ids[tags.get(tag, "")]
    empties = tuple(repeat("", len(names)))
    if dims.by_name:
        return lambda name, tags: ids[(name, tuple(map(tags.get, names, empties)))]
    return lambda name, tags: ids[tuple(map(tags.get, names, empties))]


class Grouper:
    """Puts points into the groups of a ``groupBy``: fixed tags, or all tags (``*``)
    minus ``exclude``, optionally separated by measurement."""

    def __init__(
        self,
        tag_names: tuple[str, ...],
        *,
        all_tags: bool = False,
        exclude: tuple[str, ...] = (),
        by_name: bool = False,
    ) -> None:
        self.all_tags = all_tags
        self.exclude = frozenset(exclude)
        self.by_name = by_name
        self.dims = Dimensions(() if all_tags else tag_names, by_name)
        self._group_id = group_id_function(self.dims)
        self._by_keys: dict[tuple[str, ...], tuple[Dimensions, GroupIdOf]] = {}
        # The common case, one fixed tag, gets a comprehension of its own.
        single = not all_tags and not by_name and len(self.dims.tag_names) == 1
        self._single_tag = self.dims.tag_names[0] if single else None
        self._single_ids = _GroupIds(self.dims) if single else None

    @property
    def is_nil(self) -> bool:
        """Whether every point ends up in the nil group (no tags, not by name)."""
        return not self.all_tags and not self.by_name and not self.dims.tag_names

    def dimensions(self, tags: dict[str, str]) -> tuple[Dimensions, GroupIdOf]:
        """The dimensions (and their id function) for a point with these tags."""
        if not self.all_tags:
            return self.dims, self._group_id
        keys = tuple(tags)
        found = self._by_keys.get(keys)
        if found is None:
            if len(self._by_keys) >= _MAX_CACHED:
                self._by_keys.clear()
            dims = Dimensions(tuple(k for k in keys if k not in self.exclude), self.by_name)
            found = self._by_keys[keys] = (dims, group_id_function(dims))
        return found

    def regroup_all(self, points: list[Point]) -> list[Point]:
        """Every point in its new group (new points; dicts are shared)."""
        tag, ids = self._single_tag, self._single_ids
        if tag is None or ids is None:
            regroup = self.regroup
            return [regroup(p) for p in points]
        dims = self.dims
        return [
            Point(p.name, p.tags, p.fields, p.time, p.dbrp, ids[p.tags.get(tag, "")], dims) for p in points
        ]

    def regroup(self, p: Point) -> Point:
        """``p`` in its new group (a new point; dicts are shared)."""
        if self.all_tags:
            dims, group_id = self.dimensions(p.tags)
        else:
            dims, group_id = self.dims, self._group_id
        return Point(p.name, p.tags, p.fields, p.time, p.dbrp, group_id(p.name, p.tags), dims)
