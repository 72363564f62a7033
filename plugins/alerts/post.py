"""The ``.post()`` alert handler: each event POSTed to an HTTP endpoint.

::

    stream
        |from().measurement('cpu')
        |alert()
            .crit(lambda: "usage_idle" < 10)
            .post('https://alerts.example.com/hook')
                .header('Authorization', 'Bearer xyz')
                .captureResponse()
                .timeout(10s)

or with an endpoint from the configuration, ``.post().endpoint('api-alert')``::

    [[httppost]]
      endpoint = "api-alert"
      url = "http://example.com/alerts"
      headers = { From = "alerts@example.com" }
      basic-auth = { username = "u", password = "p" }
      alert-template = "{{.Message}}:{{range .Data.Series}}{{.Tags}}{{end}}"

As a topic handler: ``{"kind": "post", "options": {"url": "...", "headers": {...},
"capture-response": true, "timeout": "10s", "skipSSLVerification": false}}``.

The body is Kapacitor's alert JSON unless the endpoint has an ``alert-template``
(or ``alert-template-file``); the URL may itself be a template. A 2xx answer is
success; 408, 429 and 5xx answers and network errors are retried as configured on
the endpoint (``retries``, ``retry-interval``, ``timeout``, ``queue-size``); other
answers are logged, with the response body when ``captureResponse`` is set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from leyden.kernel import HandlerConfig, HandlerSpec, PropertySpec, ValueType, hookimpl, params
from leyden.tick.gotemplate import Template, TemplateParseError

from .._endpoints import endpoint_template, find_endpoint
from .._tls import tls_context
from ._common import NS, DeliveryPolicy, HandlerRefused, Options
from ._event import AlertEvent

#: Per-request timeout when neither the script nor the options set one.
DEFAULT_TIMEOUT_NS = 30 * NS
#: Bytes of a captured response quoted in the log.
RESPONSE_LIMIT = 2000
_RETRIED_STATUS = {408, 429}


class PostHandler:
    """POSTs each event's JSON (or rendered template) to a URL."""

    def __init__(
        self,
        url: Template,
        headers: Mapping[str, str],
        *,
        auth: tuple[str, str] | None = None,
        body: Template | None = None,
        capture_response: bool = False,
        timeout_ns: int = DEFAULT_TIMEOUT_NS,
        verify: bool = True,
        policy: DeliveryPolicy | None = None,
    ) -> None:
        self.url = url
        self.headers = dict(headers)
        self.auth = auth
        self.body = body
        self.capture_response = capture_response
        self.timeout_ns = timeout_ns
        self.verify = verify
        self.policy = policy or DeliveryPolicy()
        #: One client for all events, so connections to the endpoint are reused.
        self._client: httpx.AsyncClient | None = None

    async def handle(self, event: AlertEvent) -> None:
        data = event.template_data()
        headers = dict(self.headers)
        if self.body is not None:
            content = self.body.render(data).encode("utf-8")
        else:
            content = (event.to_json() + "\n").encode("utf-8")
            headers["Content-Type"] = "application/json"
        url = self.url.render(data)
        if self._client is None:
            self._client = httpx.AsyncClient(verify=tls_context(self.verify), timeout=self.timeout_ns / NS)
        response = await self._client.post(url, content=content, headers=headers, auth=self.auth)
        if response.is_success:
            return
        detail = (
            response.text[:RESPONSE_LIMIT]
            if self.capture_response
            else "use .captureResponse() to see the response"
        )
        message = f"POST {url} answered {response.status_code}: {detail}"
        if response.status_code >= 500 or response.status_code in _RETRIED_STATUS:
            raise RuntimeError(message)
        raise HandlerRefused(message)

    async def aclose(self) -> None:
        """Close the connections kept to the endpoint."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


def _endpoint(section: Any, name: str) -> Mapping[str, Any]:
    table = find_endpoint(section, name)
    if table is None:
        raise ValueError(f"post: no [[httppost]] endpoint named {name!r} in the configuration")
    return table


def _template(text: str, name: str) -> Template:
    try:
        return Template.parse(text, name)
    except TemplateParseError as err:
        raise ValueError(f"post: {err}") from None


def build(options: dict[str, Any], section: Any) -> PostHandler:
    opts = Options(
        "post",
        options,
        {"url", "endpoint", "headers", "capture-response", "timeout", "skipSSLVerification"},
    )
    url = opts.str("url")
    headers: dict[str, str] = {}
    auth = None
    body = None
    policy = DeliveryPolicy()
    name = opts.str("endpoint")
    if name:
        table = _endpoint(section, name)
        url = url or table.get("url")
        table_headers = Options("post", {"headers": table.get("headers") or {}}, {"headers"})
        headers.update(table_headers.str_map("headers"))
        basic = table.get("basic-auth") or {}
        if basic.get("username") and basic.get("password"):
            auth = (str(basic["username"]), str(basic["password"]))
        body = endpoint_template(table, "alert-template", "post")
        policy = DeliveryPolicy.from_section(table, f"post endpoint {name}")
    if not url:
        raise ValueError("post: an appropriately formatted url must be given if an endpoint is not")
    headers.update(opts.str_map("headers"))
    return PostHandler(
        _template(url, "url"),
        headers,
        auth=auth,
        body=body,
        capture_response=opts.bool("capture-response"),
        timeout_ns=opts.duration("timeout", DEFAULT_TIMEOUT_NS) or DEFAULT_TIMEOUT_NS,
        verify=not opts.bool("skipSSLVerification"),
        policy=policy,
    )


def script_options(config: HandlerConfig) -> dict[str, Any]:
    """``.post(url).endpoint(e).header(k, v)...`` as post options."""
    options: dict[str, Any] = {}
    if config.args:
        if len(config.args) > 1:
            raise ValueError("post: give at most one url")
        options["url"] = config.args[0]
    headers = {str(key): str(value) for key, value in config.properties.get("header", ())}
    if headers:
        options["headers"] = headers
    for prop, key in (("endpoint", "endpoint"), ("timeout", "timeout")):
        value = config.prop(prop)
        if value is not None:
            options[key] = value
    flags = (("captureResponse", "capture-response"), ("skipSSLVerification", "skipSSLVerification"))
    for prop, key in flags:
        if config.properties.get(prop):
            options[key] = config.prop(prop) is not False
    return options


@hookimpl
def leyden_alert_handlers() -> list[HandlerSpec]:
    V = ValueType
    return [
        HandlerSpec(
            name="post",
            factory=build,
            args=params(V.STRING, variadic=True),
            properties={
                "endpoint": PropertySpec("endpoint", params(V.STRING), doc="A [[httppost]] endpoint name."),
                "header": PropertySpec(
                    "header", params(V.STRING, V.STRING), repeatable=True, doc="An extra request header."
                ),
                "captureResponse": PropertySpec("captureResponse", doc="Log the body of a non-2xx answer."),
                "timeout": PropertySpec("timeout", params(V.DURATION), doc="Timeout of the request."),
                "skipSSLVerification": PropertySpec(
                    "skipSSLVerification", doc="Do not verify TLS certificates."
                ),
            },
            config_section="httppost",
            script_options=script_options,
            doc="POST each alert event's JSON to an HTTP endpoint.",
        )
    ]
