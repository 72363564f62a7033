"""The closed message vocabulary that flows along edges.

Points and batches follow Kapacitor's data model (name, tags, fields, time, group,
dimensions); barriers and delete-group messages are control messages that every
node must forward or act on.

Messages are immutable by convention: the same point object is shared by every task
that receives it and by every child of a node, so a node that changes a point builds a
new one (``point.replace(...)``) and never mutates ``tags`` or ``fields`` in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Tags = dict[str, str]
Fields = dict[str, Any]
GroupID = str

#: The group of a point that is not grouped (Kapacitor's ``NilGroup``).
NIL_GROUP: GroupID = ""

#: Marks an attribute ``replace()`` keeps.
_SAME: Any = object()

#: ``(database, retention policy)`` of a written point.
DBRP = tuple[str, str]


class Dimensions:
    """What a stream is grouped by: tag names (sorted) and optionally the measurement.

    Instances are shared and never mutated; equal dimensions compare equal.
    """

    __slots__ = ("by_name", "tag_names")

    def __init__(self, tag_names: tuple[str, ...] = (), by_name: bool = False) -> None:
        self.tag_names = tuple(sorted(tag_names))
        self.by_name = by_name

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Dimensions)
            and self.tag_names == other.tag_names
            and self.by_name == other.by_name
        )

    def __hash__(self) -> int:
        return hash((self.tag_names, self.by_name))

    def __repr__(self) -> str:
        return f"Dimensions({self.tag_names!r}, by_name={self.by_name})"

    def group_id(self, name: str, tags: Mapping[str, str]) -> GroupID:
        """Kapacitor's group id: ``[name "\\n"] tag=value,tag=value``."""
        if not self.tag_names:
            return name if self.by_name else NIL_GROUP
        body = ",".join(f"{t}={tags.get(t, '')}" for t in self.tag_names)
        return f"{name}\n{body}" if self.by_name else body

    def group_tags(self, tags: Mapping[str, str]) -> Tags:
        """The subset of ``tags`` that the group is made of."""
        return {t: tags.get(t, "") for t in self.tag_names}


NO_DIMENSIONS = Dimensions()


class Point:
    """One data point of a stream, or one row of a batch."""

    __slots__ = ("dbrp", "dims", "fields", "group", "name", "tags", "time")

    def __init__(
        self,
        name: str,
        tags: Tags,
        fields: Fields,
        time: int,
        dbrp: DBRP | None = None,
        group: GroupID = NIL_GROUP,
        dims: Dimensions = NO_DIMENSIONS,
    ) -> None:
        self.name = name
        self.tags = tags
        self.fields = fields
        self.time = time  # nanoseconds since the Unix epoch
        self.dbrp = dbrp
        self.group = group
        self.dims = dims

    def replace(
        self,
        *,
        name: Any = _SAME,
        tags: Any = _SAME,
        fields: Any = _SAME,
        time: Any = _SAME,
        dbrp: Any = _SAME,
        group: Any = _SAME,
        dims: Any = _SAME,
    ) -> Point:
        """A copy with some attributes changed; dicts are shared, not copied."""
        return Point(
            self.name if name is _SAME else name,
            self.tags if tags is _SAME else tags,
            self.fields if fields is _SAME else fields,
            self.time if time is _SAME else time,
            self.dbrp if dbrp is _SAME else dbrp,
            self.group if group is _SAME else group,
            self.dims if dims is _SAME else dims,
        )

    def regroup(self, dims: Dimensions) -> Point:
        """This point under other dimensions, with its group id recomputed."""
        return Point(
            self.name,
            self.tags,
            self.fields,
            self.time,
            dbrp=self.dbrp,
            group=dims.group_id(self.name, self.tags),
            dims=dims,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Point):
            return NotImplemented
        return (
            self.name == other.name
            and self.tags == other.tags
            and self.fields == other.fields
            and self.time == other.time
            and self.group == other.group
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Point({self.name!r}, {self.tags!r}, {self.fields!r}, {self.time})"


class Batch:
    """A buffered batch: a group's points over a span of time, ending at ``tmax``.

    ``tags`` are the group's tags (the dimensions' subset of the point tags); every
    point keeps its own full tags.
    """

    __slots__ = ("dims", "group", "name", "points", "tags", "tmax")

    def __init__(
        self,
        name: str,
        tags: Tags,
        points: list[Point],
        tmax: int,
        *,
        group: GroupID = NIL_GROUP,
        dims: Dimensions = NO_DIMENSIONS,
    ) -> None:
        self.name = name
        self.tags = tags
        self.points = points
        self.tmax = tmax
        self.group = group
        self.dims = dims

    @property
    def time(self) -> int:
        """A batch's time is its tmax, as in Kapacitor."""
        return self.tmax

    def replace(
        self,
        *,
        name: Any = _SAME,
        tags: Any = _SAME,
        points: Any = _SAME,
        tmax: Any = _SAME,
        group: Any = _SAME,
        dims: Any = _SAME,
    ) -> Batch:
        """A copy with some attributes changed; the point list is shared."""
        return Batch(
            self.name if name is _SAME else name,
            self.tags if tags is _SAME else tags,
            self.points if points is _SAME else points,
            self.tmax if tmax is _SAME else tmax,
            group=self.group if group is _SAME else group,
            dims=self.dims if dims is _SAME else dims,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Batch):
            return NotImplemented
        return (
            self.name == other.name
            and self.tags == other.tags
            and self.tmax == other.tmax
            and self.group == other.group
            and self.points == other.points
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Batch({self.name!r}, {self.tags!r}, {len(self.points)} points, tmax={self.tmax})"


class Barrier:
    """Stream time has reached ``time`` for ``group``: nothing older will arrive."""

    __slots__ = ("group", "time")

    def __init__(self, group: GroupID, time: int) -> None:
        self.group = group
        self.time = time

    def __repr__(self) -> str:
        return f"Barrier({self.group!r}, {self.time})"


class DeleteGroup:
    """Forget all state kept for ``group`` (sent by ``barrier().delete(TRUE)``)."""

    __slots__ = ("group",)

    def __init__(self, group: GroupID) -> None:
        self.group = group

    def __repr__(self) -> str:
        return f"DeleteGroup({self.group!r})"


Message = Point | Batch | Barrier | DeleteGroup
Chunk = list[Message]
