"""sideload: values from a tree of JSON and YAML files, by tag templates, with defaults."""

from __future__ import annotations

import json

import pytest

from leyden.kernel import Batch, Dimensions, NodeStats, Point, TickError
from leyden.plugins.nodes.sideload import SideloadNode, convert


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "host").mkdir()
    (tmp_path / "host" / "a.json").write_text(json.dumps({"threshold": 80.0, "team": "web"}))
    (tmp_path / "host" / "b.yml").write_text("team: db\nlimit: '12'\nflag: 'yes'\n")
    (tmp_path / "default.json").write_text(json.dumps({"threshold": 50, "team": "ops", "limit": 7.5}))
    (tmp_path / "notes.txt").write_text("not values")
    return tmp_path


async def sideload(make_context, tree, order, fields=(), tags=()):
    props = {
        "source": [(f"file://{tree}",)],
        "order": [tuple(order)],
        "field": list(fields),
        "tag": list(tags),
    }
    node = SideloadNode(make_context("sideload", properties=props))
    node.stats = NodeStats()
    return node


def cpu(host, t=0):
    return Point("cpu", {"host": host}, {"value": 1.0}, t)


async def test_first_file_in_order_wins_then_defaults(make_context, tree):
    order = ["host/{{.host}}.json", 'host/{{ index . "host" }}.yml', "default.json"]
    node = await sideload(make_context, tree, order, fields=[("threshold", 0.0)], tags=[("team", "nobody")])
    out = node.process([cpu("a"), cpu("b"), cpu("c")])
    assert [(p.tags, p.fields) for p in out] == [
        ({"host": "a", "team": "web"}, {"value": 1.0, "threshold": 80.0}),
        ({"host": "b", "team": "db"}, {"value": 1.0, "threshold": 50.0}),
        ({"host": "c", "team": "ops"}, {"value": 1.0, "threshold": 50.0}),
    ]
    assert type(out[2].fields["threshold"]) is float  # 50 in the file, converted to the default's type


async def test_unconvertible_values_fall_back_to_the_default(make_context, tree):
    order = ["host/{{.host}}.yml", "default.json"]
    fields = [("limit", 0), ("flag", False), ("missing", "none")]
    node = await sideload(make_context, tree, order, fields=fields)
    (b, c) = node.process([cpu("b"), cpu("c")])
    assert b.fields == {"value": 1.0, "limit": 12, "flag": False, "missing": "none"}
    assert c.fields == {"value": 1.0, "limit": 0, "flag": False, "missing": "none"}  # 7.5 is no int
    assert node.stats.errors == 2  # 'yes' is no bool, 7.5 is no int


async def test_batches_and_regrouping_on_a_loaded_group_tag(make_context, tree):
    node = await sideload(make_context, tree, ["default.json"], tags=[("team", "x")])
    dims = Dimensions(("team",))
    p = Point("cpu", {"team": "x"}, {"value": 1.0}, 0, group="team=x", dims=dims)
    (out,) = node.process([p])
    assert (out.tags, out.group) == ({"team": "ops"}, "team=ops")
    (b,) = node.process([Batch("cpu", {}, [cpu("a")], 10)])
    assert b.points[0].tags == {"host": "a", "team": "ops"}


async def test_order_templates_are_go_templates(make_context, tree):
    order = ['{{ if eq .host "a" }}host/a.json{{ else }}default.json{{ end }}', "host/{{.host}}.yml"]
    node = await sideload(make_context, tree, order, tags=[("team", "nobody")])
    out = node.process([cpu("a"), cpu("b"), cpu("c")])
    assert [p.tags["team"] for p in out] == ["web", "ops", "ops"]
    with pytest.raises(TickError):
        await sideload(make_context, tree, ["host/{{ .host"])


async def test_an_unreadable_file_is_a_script_error(make_context, tree):
    # a dangling link (or a file without read permission) is refused when the task is
    # defined, naming the file, like a malformed one, not as an internal error
    (tree / "host" / "gone.yml").symlink_to(tree / "nowhere.yml")
    with pytest.raises(ValueError, match=r"failed to read sideload values .*gone\.yml"):
        await sideload(make_context, tree, ["default.json"])


async def test_relative_sources_are_rejected(make_context, tree):
    with pytest.raises(ValueError, match="must be absolute"):
        SideloadNode(make_context("sideload", properties={"source": [("file:relative/dir",)]}))
    with pytest.raises(ValueError, match="scheme"):
        SideloadNode(make_context("sideload", properties={"source": [("http://example.com/x",)]}))


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        (80, 0.0, 80.0),
        (80.0, 0, 80),
        ("3", 0, 3),
        ("2.5", 0.0, 2.5),
        ("true", False, True),
        (80.0, "", "80"),
        (0.1, "", "0.1"),
        (1e21, "", "1000000000000000000000"),
        (7, "", "7"),
        (True, "", "true"),
    ],
)
def test_conversions_follow_the_default_type(value, default, expected):
    converted = convert(value, default)
    assert converted == expected
    assert type(converted) is type(expected)


@pytest.mark.parametrize(("value", "default"), [(7.5, 0), ("x", 0.0), (1, False), ([1], "")])
def test_impossible_conversions(value, default):
    with pytest.raises(ValueError):
        convert(value, default)


async def test_lookup_failures_are_counted_and_only_the_first_few_logged(make_context, tree, caplog):
    # every new series fails anew ('yes' is no bool): 50 series, 50 errors, 10 log lines
    node = await sideload(make_context, tree, ["host/b.yml"], fields=[("flag", False)])
    node.process([cpu(f"h{i}") for i in range(50)])
    assert node.stats.errors == 50
    logged = [r.getMessage() for r in caplog.records if r.name == "leyden.node.sideload"]
    assert len(logged) == 10
    assert logged[0].startswith("task test, sideload2: failed to load key 'flag': ")
