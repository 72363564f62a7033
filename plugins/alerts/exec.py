"""The ``.exec()`` alert handler: run a command with the event's JSON on its stdin.

::

    stream
        |from().measurement('cpu')
        |alert()
            .crit(lambda: "usage_idle" < 10)
            .exec('/usr/local/bin/page-oncall', '--team', 'infra')

As a topic handler: ``{"kind": "exec", "options": {"prog": "/usr/local/bin/page-oncall",
"args": ["--team", "infra"]}}``.

Running programs named in a script is a way into the server, so only programs the
operator allowed run::

    [exec]
      allowed = ["/usr/local/bin/page-oncall"]

Anything else (and everything when the list is absent) is refused: the event is
logged as refused and nothing runs. A command that exits with an error is retried
as configured in ``[exec]`` (``retries``, ``retry-interval``, ``timeout``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import trio

from leyden.kernel import HandlerSpec, ValueType, hookimpl, params

from ._common import DeliveryPolicy, HandlerRefused, Options
from ._event import AlertEvent

#: Bytes of a failed command's output quoted in the log.
OUTPUT_LIMIT = 2000


class ExecHandler:
    """Runs ``prog args...`` per event, if ``prog`` is allowed."""

    def __init__(
        self, prog: str, args: list[str], allowed: bool, policy: DeliveryPolicy | None = None
    ) -> None:
        self.prog = prog
        self.args = args
        self.allowed = allowed
        self.policy = policy or DeliveryPolicy()

    async def handle(self, event: AlertEvent) -> None:
        if not self.allowed:
            raise HandlerRefused(f"{self.prog} is not in the [exec] allowed list of the configuration")
        data = (event.to_json() + "\n").encode("utf-8")
        try:
            done = await trio.run_process(
                [self.prog, *self.args], stdin=data, capture_stdout=True, capture_stderr=True, check=False
            )
        except OSError as err:
            raise RuntimeError(f"cannot run {self.prog}: {err}") from err
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode("utf-8", "replace")[:OUTPUT_LIMIT]
            raise RuntimeError(f"{self.prog} exited with status {done.returncode}: {output.strip()}")


def build(options: dict[str, Any], section: Any) -> ExecHandler:
    opts = Options("exec", options, {"prog", "args"})
    prog = opts.str("prog") or ""
    if not prog:
        raise ValueError("exec: a program to run is required")
    allowed: list[str] = []
    if isinstance(section, Mapping):
        allowed = Options("exec", {"allowed": section.get("allowed", [])}, {"allowed"}).str_list("allowed")
    policy = DeliveryPolicy.from_section(section, "exec")
    return ExecHandler(prog, opts.str_list("args"), prog in allowed, policy)


@hookimpl
def leyden_alert_handlers() -> list[HandlerSpec]:
    return [
        HandlerSpec(
            name="exec",
            factory=build,
            args=params(ValueType.STRING, ValueType.STRING, variadic=True),
            arg_names=("prog", "args"),
            config_section="exec",
            doc="Run an allowed command with each alert event's JSON on stdin.",
        )
    ]
