"""Every HTTP/WebSocket route handler of the app, by capability."""

from chatd.api.health import healthz, readyz

ROUTES: list = [
    healthz,
    readyz,
]
