"""``|log()``: every message logged at the node's level, data unchanged."""

from __future__ import annotations

import json
import logging

import pytest
from nodeutil import batch, node, point

from leyden.kernel import EdgeType


def test_points_and_batches_are_logged_and_passed_on(plugins, caplog):
    n = node(plugins, "log", props={"level": "warn", "prefix": "SUM"})
    chunk = [point(0, {"v": 1}, {"host": "a"})]
    with caplog.at_level(logging.INFO, logger="leyden.node.log"):
        assert n.process(chunk) is chunk
        node(plugins, "log", edge_in=EdgeType.BATCH).process([batch(10, [point(1, {"v": 2})])])
    first, second = caplog.records
    assert (first.levelno, first.prefix, first.node) == (logging.WARNING, "SUM", "log1")
    text = first.getMessage()
    assert text.startswith("SUM point ")
    assert json.loads(text[len("SUM point ") :])["tags"] == {"host": "a"}
    assert (second.levelno, second.getMessage().split(" ")[0]) == (logging.INFO, "batch")


def test_nothing_is_rendered_below_the_logger_level(plugins, caplog):
    n = node(plugins, "log", props={"level": "DEBUG"})
    with caplog.at_level(logging.INFO, logger="leyden.node.log"):
        n.process([point(0, {"v": 1})])
    assert caplog.records == []


def test_unknown_levels_are_refused(plugins):
    with pytest.raises(ValueError, match="invalid log level"):
        node(plugins, "log", props={"level": "LOUD"})
