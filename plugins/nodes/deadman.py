"""``|deadman(threshold, interval, lambdas...)``: alert when a node's throughput drops.

Kapacitor's shorthand for a ``stats`` node on the wall clock, the rate of its
``emitted`` count, and an alert that is critical while the rate is at or below the
threshold (points per interval); extra lambdas must hold too. The script continues
from the alert node, so handlers and alert properties follow::

    var data = stream
        |from()
            .measurement('cpu')
    data
        |deadman(100.0, 10s, lambda: hour("time") >= 8 AND hour("time") <= 17)
            .log('/var/log/kapacitor/dead.log')

is the same as::

    data
        |stats(10s)
            .align()
        |derivative('emitted')
            .unit(10s)
            .nonNegative()
        |alert()
            .id('node \\'from1\\' in task \\'{{ .TaskName }}\\'')
            .message('{{ .ID }} is {{ if eq .Level "OK" }}alive{{ else }}dead{{ end }}: ...')
            .crit(lambda: "emitted" <= 100.0 AND (hour("time") >= 8 AND hour("time") <= 17))

The id and message come from the ``[deadman]`` section of the configuration (``id``
and ``message``, Kapacitor's defaults below when unset); set ``.id()`` and
``.message()`` on the result to change them for one script. With ``global = true``
there, every task gets ``|deadman(threshold, interval)`` on its source, with the
section's ``threshold`` and ``interval`` (0.0 and ``10s`` by default).
"""

from __future__ import annotations

from typing import Any

from leyden.kernel import NodeSpec, PipelineNode, ValueType, hookimpl, params
from leyden.tick import format_go_duration
from leyden.tick.lambdas import format_float

#: Kapacitor's default ``[deadman]`` id; NODE_NAME becomes the watched node's name.
DEFAULT_ID = "node 'NODE_NAME' in task '{{ .TaskName }}'"

#: Kapacitor's default ``[deadman]`` message; INTERVAL becomes the interval, as Go prints it.
DEFAULT_MESSAGE = (
    '{{ .ID }} is {{ if eq .Level "OK" }}alive{{ else }}dead{{ end }}: '
    '{{ index .Fields "emitted" | printf "%0.3f" }} points/INTERVAL.'
)


def expand_deadman(macro: Any) -> PipelineNode:
    """Build stats, derivative and alert below the node ``deadman`` was chained on."""
    threshold, interval, *conditions = macro.args
    stats = macro.chain(macro.parent, "stats", interval)
    macro.set(stats, "align")
    rate = macro.chain(stats, "derivative", "emitted")
    macro.set(rate, "unit", interval)
    macro.set(rate, "nonNegative")
    alert = macro.chain(rate, "alert")
    crit = f'"emitted" <= {format_float(float(threshold), point=True)}'
    for condition in conditions:
        crit = f"{crit} AND ({condition.text})"
    macro.set(alert, "crit", macro.lambda_expr(crit))
    section = macro.config("deadman")
    id_template = str(section.get("id") or DEFAULT_ID)
    message = str(section.get("message") or DEFAULT_MESSAGE)
    macro.set(alert, "id", id_template.replace("NODE_NAME", macro.parent.name, 1))
    macro.set(alert, "message", message.replace("INTERVAL", format_go_duration(interval), 1))
    return alert


SPEC = NodeSpec(
    name="deadman",
    kind="deadman",
    factory=None,
    args=params(ValueType.FLOAT, ValueType.DURATION, ValueType.LAMBDA, variadic=True),
    expand=expand_deadman,
    doc="Alerts when a node emits no more than a threshold of points per interval.",
)


@hookimpl
def leyden_node_specs() -> list[NodeSpec]:
    return [SPEC]
