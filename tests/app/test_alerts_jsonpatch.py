"""JSON Patch (RFC 6902) as topic handler PATCH requests use it; cases from the RFC's examples."""

import pytest

from leyden.app.alerts.jsonpatch import PatchError, apply_patch


@pytest.mark.parametrize(
    ("document", "patch", "expected"),
    [
        ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"foo": "bar", "baz": "qux"}),
        (
            {"foo": ["bar", "baz"]},
            [{"op": "add", "path": "/foo/1", "value": "qux"}],
            {"foo": ["bar", "qux", "baz"]},
        ),
        ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": "x"}], {"foo": ["bar", "x"]}),
        ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
        ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
        ({"baz": "qux"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo"}),
        (
            {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
            [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
            {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
        ),
        ({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}], {"a": {"b": 1}, "c": {"b": 1}}),
        (
            {"a/b": 1, "m~n": 2},
            [{"op": "replace", "path": "/a~1b", "value": 3}, {"op": "remove", "path": "/m~0n"}],
            {"a/b": 3},
        ),
        (
            {"a": 1},
            [{"op": "test", "path": "/a", "value": 1}, {"op": "replace", "path": "", "value": [1]}],
            [1],
        ),
    ],
)
def test_operations(document, patch, expected):
    before = repr(document)
    assert apply_patch(document, patch) == expected
    assert repr(document) == before


@pytest.mark.parametrize(
    "patch",
    [
        {"op": "add", "path": "/a", "value": 1},
        [{"op": "add", "path": "/a"}],
        [{"op": "remove", "path": "/missing"}],
        [{"op": "replace", "path": "/missing", "value": 1}],
        [{"op": "add", "path": "/list/5", "value": 1}],
        [{"op": "add", "path": "/list/01", "value": 1}],
        [{"op": "add", "path": "a", "value": 1}],
        [{"op": "test", "path": "/a", "value": 2}],
        [{"op": "move", "from": "/a", "path": "/a/b"}],
        [{"op": "frobnicate", "path": "/a"}],
        [{"path": "/a"}],
    ],
)
def test_bad_patches_are_refused(patch):
    with pytest.raises(PatchError):
        apply_patch({"a": 1, "list": [0]}, patch)
