"""Security headers on every HTTP response: a strict Content-Security-Policy
(no inline script or style but the shell's import map, by its hash;
nothing from another origin), nosniff, a same-origin referrer and a
Permissions-Policy that turns off every browser feature the web UI never
uses (ASVS 10.2.2).

Every /api/ answer is `Cache-Control: no-store` unless its handler chose
otherwise (attachment downloads: `private`, immutable): a shared proxy or
the browser's disk cache must not keep someone's messages or a token.
JSON answers there also say `Content-Disposition: attachment` (ASVS
14.4.2): opened directly in a browser tab they are downloaded, never
rendered (fetch and every API client ignore the header).
Attachment downloads keep the stricter sandbox policy their handler sets.
Swagger UI at /schema and GraphiQL at /api/v1/graphql set inline styles
themselves, so those pages alone allow 'unsafe-inline' for styles; their
scripts are still files from /static only.
"""

from __future__ import annotations

from litestar.types import Message, Scope

from chatd.api.web import import_map_hash

_POLICY = {
    "default-src": "'self'",
    "script-src": f"'self' {import_map_hash()}".strip(),
    "style-src": "'self'",
    "img-src": "'self' blob: data:",
    "media-src": "'self' blob:",
    # 'self' covers ws:/wss: of this origin too (CSP level 3).
    "connect-src": "'self'",
    "worker-src": "'self'",
    "manifest-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}


def _csp(**changes: str) -> bytes:
    return "; ".join(f"{k} {v}" for k, v in {**_POLICY, **changes}.items()).encode()


CSP = _csp()
SCHEMA_CSP = _csp(**{"style-src": "'self' 'unsafe-inline'"})
# GraphiQL (GET /api/v1/graphql) sets inline styles and its CSS embeds its fonts.
# The Argon2id worker (restoring a key backup made by the Python client) runs
# hash-wasm, which compiles WebAssembly: that worker script alone may. A
# worker's policy is the one its own script is served with, so the page keeps
# the strict one.
ARGON2_WORKER = "/static/app/crypto/argon2-worker.js"
WASM_WORKER_CSP = _csp(**{"script-src": "'self' 'wasm-unsafe-eval'"})
GRAPHIQL_CSP = _csp(**{"style-src": "'self' 'unsafe-inline'", "font-src": "'self' data:"})
# Everything off but what static/app uses: the video player's own fullscreen
# and picture-in-picture buttons, and security keys (WebAuthn) for this origin. Voice notes are uploaded files, nothing
# records in the page, so the microphone is off too; notifications are not a
# Permissions-Policy feature (the user grants them). Only names Chromium
# knows: an unknown one is an error in the page's console.
_PERMISSIONS = {
    "accelerometer": "()", "autoplay": "()", "camera": "()", "clipboard-read": "()", "clipboard-write": "()",
    "display-capture": "()", "encrypted-media": "()", "fullscreen": "(self)", "geolocation": "()",
    "gyroscope": "()", "hid": "()", "idle-detection": "()", "magnetometer": "()", "microphone": "()", "midi": "()",
    "payment": "()", "picture-in-picture": "(self)", "publickey-credentials-create": "(self)",
    "publickey-credentials-get": "(self)", "screen-wake-lock": "()",
    "serial": "()", "usb": "()", "xr-spatial-tracking": "()",
}
PERMISSIONS = ", ".join(f"{k}={v}" for k, v in _PERMISSIONS.items()).encode()
FIXED = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", PERMISSIONS),
]
# Only when public_url is https: over plain http the header is ignored anyway,
# and a Pi on a home network often has no certificate.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
NO_STORE = (b"cache-control", b"no-store")
JSON_ATTACHMENT = (b"content-disposition", b'attachment; filename="api.json"')


async def security_headers(message: Message, scope: Scope) -> None:
    """Litestar before_send hook: runs for every response, errors and 404s
    included. A handler that set its own policy (attachment downloads: a
    sandbox) keeps it."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    present = {name.lower() for name, _ in headers}
    path = scope["path"]
    policy = (SCHEMA_CSP if path.startswith("/schema") else GRAPHIQL_CSP if path == "/api/v1/graphql"
              else WASM_WORKER_CSP if path == ARGON2_WORKER else CSP)
    added = [(b"content-security-policy", policy), *FIXED]
    if scope["app"].state.config.https:
        added.append(HSTS)
    if path.startswith("/api/"):
        added.append(NO_STORE)
        kind = next((value for name, value in headers if name.lower() == b"content-type"), b"")
        if kind.startswith((b"application/json", b"application/problem+json")):
            added.append(JSON_ATTACHMENT)
    message["headers"] = headers + [h for h in added if h[0] not in present]
