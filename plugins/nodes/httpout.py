"""Placeholder until the node family lands."""

from leyden.kernel import hookimpl


@hookimpl
def leyden_node_specs():
    return []
