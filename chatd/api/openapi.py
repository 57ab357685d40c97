"""OpenAPI document at /schema/openapi.json and a browsable UI at /schema.

The UI's JS/CSS come from static/vendor/ (installed from the npm registry by
`make setup`, carried in the wheel), never from a CDN: a self-hosted server
may be offline. Litestar's Swagger page starts Swagger UI with an inline
script, which our Content-Security-Policy refuses; this page loads the same
start-up code from /static/schema.js instead.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI
from litestar.openapi.plugins import SwaggerRenderPlugin

VENDOR = "/static/vendor/swagger-ui"


class SelfHostedSwagger(SwaggerRenderPlugin):
    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8"><title>chatd API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">
<link rel="stylesheet" href="{self.css_url}">
<script src="{self.js_url}"></script>
<script src="{self.standalone_preset_js_url}"></script>
<script src="/static/schema.js" defer></script>
</head><body><div id="swagger-container"></div></body></html>""".encode()


def openapi_config(version: str) -> OpenAPIConfig:
    ui = SelfHostedSwagger(
        path="/",
        js_url=f"{VENDOR}/swagger-ui-bundle.js",
        css_url=f"{VENDOR}/swagger-ui.css",
        standalone_preset_js_url=f"{VENDOR}/swagger-ui-standalone-preset.js",
    )
    return OpenAPIConfig(
        title="chatd",
        version=version,
        description="Self-hosted chat server: REST and WebSocket API v1.",
        path="/schema",
        render_plugins=[ui],
    )


def _strict_structs() -> set[str]:
    """Names of the request bodies that refuse unknown fields."""
    seen, todo = set(), list(msgspec.Struct.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__struct_config__.forbid_unknown_fields:
            seen.add(cls.__name__)
    return seen


def _no_extra_fields(openapi: OpenAPI) -> OpenAPI:
    """Bodies that answer 400 to an unknown field say so (additionalProperties:
    false); Litestar leaves it out, so the document allowed any field."""
    strict = _strict_structs()
    for name, schema in (openapi.components.schemas or {}).items():
        if name.rpartition("_")[2] in strict or name in strict:
            schema.additional_properties = False
    return openapi


class _TruthfulPlugin(OpenAPIPlugin):
    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        return _no_extra_fields(super()._build_openapi())


def tell_the_truth(app: Litestar) -> None:
    """Correct the document whenever Litestar builds it, which it does on the
    first request for it: a server nobody asks for /schema never pays (building
    it at start cost ~0.1 s of a Pi's start-up). Litestar creates its plugin
    itself, so the instance gets this subclass (same slots, one override)."""
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = _TruthfulPlugin
