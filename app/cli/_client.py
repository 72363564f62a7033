"""A small client for Kapacitor's HTTP API v1 (the standard library is enough)."""

from __future__ import annotations

import http.client
import json
import os
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

DEFAULT_URL = "http://localhost:9092"
BASE = "/kapacitor/v1"
TIMEOUT = 30.0
#: Items fetched per page when listing everything.
PAGE = 100


class ServerDown(Exception):
    """The server cannot be reached at all."""


class ApiError(Exception):
    """The server answered with an error status; the message is its ``error`` text."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def default_url(env: Mapping[str, str] | None = None) -> str:
    """``$LEYDEN_URL``, else ``$KAPACITOR_URL`` (scripts written for kapacitor), else the default."""
    env = os.environ if env is None else env
    return env.get("LEYDEN_URL") or env.get("KAPACITOR_URL") or DEFAULT_URL


class Client:
    """One connection to a server, reused for every call of a command."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        parts = urllib.parse.urlsplit(self.url if "://" in self.url else "http://" + self.url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"unsupported URL {url!r}: use http:// or https://")
        conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self._conn = conn_class(parts.hostname or "localhost", parts.port, timeout=TIMEOUT)
        self._prefix = parts.path.rstrip("/")

    def close(self) -> None:
        self._conn.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, Any]] = (),
        body: Any = None,
    ) -> tuple[int, Any, Mapping[str, str]]:
        """Send a request; returns (status, parsed JSON or None, headers)."""
        target = self._prefix + path
        if params:
            target += "?" + urllib.parse.urlencode(list(params))
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        try:
            self._conn.request(method, target, body=data, headers=headers)
            response = self._conn.getresponse()
            raw = response.read()
        except OSError as err:
            self._conn.close()
            raise ServerDown(f"cannot reach the server at {self.url}: {_reason(err)}") from err
        document = None
        if raw:
            try:
                document = json.loads(raw)
            except ValueError:
                document = raw.decode("utf-8", "replace")
        if response.status >= 400:
            message = document.get("error") if isinstance(document, dict) else None
            raise ApiError(response.status, message or f"HTTP {response.status}: {document}")
        return response.status, document, dict(response.getheaders())

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=_params(params))[1]

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body=body)[1]

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, body=body)[1]

    def delete(self, path: str) -> None:
        self.request("DELETE", path)

    def find(self, kind: str, pattern: str, fields: Sequence[str] = ("link",)) -> Iterator[dict[str, Any]]:
        """Every task or template (``kind``) whose id matches the glob, page by page."""
        offset = 0
        while True:
            page = self.get(f"{BASE}/{kind}", pattern=pattern, fields=list(fields), offset=offset, limit=PAGE)
            items = page.get(kind) or []
            yield from items
            if len(items) < PAGE:
                return
            offset += PAGE


def _params(params: Mapping[str, Any]) -> list[tuple[str, Any]]:
    out = []
    for key, value in params.items():
        name = key.replace("_", "-")
        if isinstance(value, list):
            out += [(name, v) for v in value]
        else:
            out.append((name, value))
    return out


def _reason(err: BaseException) -> str:
    if isinstance(err, ConnectionRefusedError):
        return "connection refused (is leydend running? set -url or LEYDEN_URL)"
    if isinstance(err, TimeoutError):
        return "timed out"
    return getattr(err, "strerror", None) or str(err) or type(err).__name__
