"""The ``[[httppost]]`` endpoints of the configuration, which the ``.post()`` alert
handler and the ``httpPost`` node both name with ``.endpoint('name')``::

    [[httppost]]
      endpoint = "api"
      url = "http://example.com/alerts"
      headers = { From = "alerts@example.com" }
      basic-auth = { username = "u", password = "p" }
      alert-template = "{{ .Message }}"          # or alert-template-file, for .post()
      row-template-file = "/etc/leyden/row.tmpl"  # or row-template, for httpPost
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from leyden.tick.gotemplate import Template, TemplateParseError


def find_endpoint(section: Any, name: str) -> Mapping[str, Any] | None:
    """The table of endpoint ``name`` in the ``httppost`` section, if there is one."""
    tables = section if isinstance(section, list) else [section] if isinstance(section, Mapping) else []
    for table in tables:
        if isinstance(table, Mapping) and table.get("endpoint") == name:
            return table
    return None


def endpoint_template(table: Mapping[str, Any], key: str, owner: str) -> Template | None:
    """The endpoint's template ``key`` (``alert-template``, ``row-template``), given
    inline or as ``<key>-file``, an absolute path; parsed now, so that a broken one
    fails the definition. ``owner`` starts the error messages."""
    text = table.get(key)
    path = table.get(f"{key}-file")
    if text and path:
        raise ValueError(f"{owner}: give only one of {key} and {key}-file")
    if path:
        if not os.path.isabs(path):
            raise ValueError(f"{owner}: {key}-file must be an absolute path")
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as err:
            raise ValueError(f"{owner}: cannot read {key}-file: {err}") from None
    if not text:
        return None
    try:
        return Template.parse(str(text), key)
    except TemplateParseError as err:
        raise ValueError(f"{owner}: {err}") from None
