"""The alert node's templates: ``.id()``, ``.message()`` and ``.details()``.

Each sees the data Kapacitor gives it, under Kapacitor's field names::

    .id('{{ .Name }}:{{ .Group }}')                  Name TaskName Group Tags ServerInfo
    .message('{{ .ID }} is {{ .Level }}')            + ID Fields Level Time Duration
    .details('{{ json . }}')                         + Message   (HTML-escaped, as html/template)

Templates are parsed when the task starts; a misspelt field (``.Feilds``) is an
error then. The id is rendered for every point, so when it does not read the tags
it is cached per group.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any

from leyden.kernel import NIL_GROUP
from leyden.plugins.alerts import Level
from leyden.tick.gotemplate import GoDuration, GoStruct, GoTime, StringMap, Template

DEFAULT_ID = "{{ .Name }}:{{ .Group }}"
DEFAULT_MESSAGE = "{{ .ID }} is {{ .Level }}"
DEFAULT_DETAILS = "{{ json . }}"

ID_FIELDS = frozenset({"Name", "TaskName", "Group", "Tags", "ServerInfo"})
MESSAGE_FIELDS = ID_FIELDS | {"ID", "Fields", "Level", "Time", "Duration"}
DETAILS_FIELDS = MESSAGE_FIELDS | {"Message"}


def server_info(service: Any) -> GoStruct:
    """``.ServerInfo``: from the ``server_info`` service (a mapping), else this host."""
    info = service if isinstance(service, Mapping) else {}
    return GoStruct(
        "kapacitor.serverInfo",
        {
            "Hostname": str(info.get("Hostname", socket.gethostname())),
            "ClusterID": str(info.get("ClusterID", "")),
            "ServerID": str(info.get("ServerID", "")),
        },
    )


def _parse(text: str, name: str, fields: frozenset[str], html: bool = False) -> Template:
    template = Template.parse(text, name, html=html)
    template.check_fields(fields)
    return template


class AlertTemplates:
    """The parsed id, message and details templates of one alert node."""

    def __init__(
        self,
        task_name: str,
        server: GoStruct,
        id_text: str = DEFAULT_ID,
        message_text: str = DEFAULT_MESSAGE,
        details_text: str = DEFAULT_DETAILS,
    ) -> None:
        self.task_name = task_name
        self.server = server
        self.id = _parse(id_text, "id", ID_FIELDS)
        self.message = _parse(message_text, "message", MESSAGE_FIELDS)
        self.details = _parse(details_text, "details", DETAILS_FIELDS, html=True)
        self._id_reads_tags = self.id.uses_all_data or "Tags" in self.id.root_fields
        self._id_cache: dict[tuple[str, str], str] = {}
        self._details_empty = details_text == ""

    def render_id(self, name: str, group: str, tags: Mapping[str, str]) -> str:
        """The alert id of a point or batch."""
        if not self._id_reads_tags:
            key = (name, group)
            cached = self._id_cache.get(key)
            if cached is None:
                cached = self._id_cache[key] = self.id.render(self._id_data(name, group, tags))
            return cached
        return self.id.render(self._id_data(name, group, tags))

    def forget(self, group: str) -> None:
        """Drop cached ids of a deleted group."""
        for key in [k for k in self._id_cache if k[1] == group]:
            del self._id_cache[key]

    def _id_data(self, name: str, group: str, tags: Mapping[str, str]) -> GoStruct:
        return GoStruct(
            "kapacitor.idInfo",
            {
                "Name": name,
                "TaskName": self.task_name,
                "Group": group or "nil",
                "Tags": StringMap(tags),
                "ServerInfo": self.server,
            },
        )

    def render_message_and_details(
        self,
        alert_id: str,
        name: str,
        group: str,
        tags: Mapping[str, str],
        fields: Mapping[str, Any],
        level: Level,
        time: int,
        duration: int,
    ) -> tuple[str, str]:
        info = {
            "Name": name,
            "TaskName": self.task_name,
            "Group": group if group != NIL_GROUP else "nil",
            "Tags": StringMap(tags),
            "ServerInfo": self.server,
            "ID": alert_id,
            "Fields": fields,
            "Level": str(level),
            "Time": GoTime(time),
            "Duration": GoDuration(duration),
        }
        message = self.message.render(GoStruct("kapacitor.messageInfo", info))
        if self._details_empty:
            return message, ""
        info["Message"] = message
        return message, self.details.render(GoStruct("kapacitor.detailsInfo", info))
