"""Security headers on every HTTP response: a strict Content-Security-Policy
(no inline script or style but the shell's import map, by its hash;
nothing from another origin), nosniff and a
same-origin referrer.

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
FIXED = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
# Only when public_url is https: over plain http the header is ignored anyway,
# and a Pi on a home network often has no certificate.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


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
    message["headers"] = headers + [h for h in added if h[0] not in present]
