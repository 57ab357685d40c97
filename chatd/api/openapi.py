"""OpenAPI document at /schema/openapi.json and a browsable UI at /schema.

The UI's JS/CSS come from static/vendor/ (installed from the npm registry by
`make setup`), never from a CDN: a self-hosted server may be offline.
"""

from __future__ import annotations

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

VENDOR = "/static/vendor/swagger-ui"


def openapi_config(version: str) -> OpenAPIConfig:
    ui = SwaggerRenderPlugin(
        path="/",
        js_url=f"{VENDOR}/swagger-ui-bundle.js",
        css_url=f"{VENDOR}/swagger-ui.css",
        standalone_preset_js_url=f"{VENDOR}/swagger-ui-standalone-preset.js",
        favicon="<link rel='icon' type='image/svg+xml' href='/static/favicon.svg'>",
    )
    return OpenAPIConfig(
        title="chatd",
        version=version,
        description="Self-hosted chat server: REST and WebSocket API v1.",
        path="/schema",
        render_plugins=[ui],
    )
