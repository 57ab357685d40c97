"""What each route answers besides success, declared in the OpenAPI document.

Errors leave as problem+json (api/problems.py), but Litestar declares only a
400 in its own JSON shape. `declare_errors` gives every HTTP route the
statuses it can answer, each as a problem document: 400, 431 and 503 (a
store away) anywhere, 401/403 where a caller must sign in (403: CSRF,
disabled account, a rule), 404 where a path or body names something, 413
where a body is read (415 where it must be
JSON), 409/507 where something is written, and the few
410/429 where they apply.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import msgspec
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from chatd.api.problems import PROBLEM

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
DESCRIPTIONS = {
    400: "Invalid input (problem details; `errors` lists the fields)",
    401: "Not signed in, or an unknown or expired token",
    403: "Not allowed (a rule, a disabled account, a missing X-CSRF-Token on a cookie session)",
    404: "No such thing, or not yours to see",
    409: "Conflict: a stale version (`current` holds what is stored) or a duplicate",
    410: "The sync cursor can no longer be served (`refetch` says what to reload)",
    413: "The request body is larger than limits.max_body_kb",
    415: "A JSON body sent without Content-Type: application/json (or another +json type)",
    429: "Too many requests (`retry_after` seconds; also a Retry-After header)",
    431: "Request headers larger than 32 KiB in all",
    503: "A store does not answer (`store_unavailable`, `store` names it; Retry-After) or could not write;"
         " nothing was changed",
    507: "Storage is full; nothing was changed",
}
# Statuses only some routes answer.
EXTRA = {
    ("POST", "/api/v1/auth/login"): {401, 429},
    ("PUT", "/api/v1/me/password"): {429},
    ("POST", "/api/v1/auth/login/second-factor"): {401, 429},
    ("POST", "/api/v1/auth/login/security-key"): {401, 429},
    ("POST", "/api/v1/auth/reauth"): {429},
    ("POST", "/api/v1/me/second-factor/totp/confirm"): {429},
    ("POST", "/api/v1/me/second-factor/totp/disable"): {429},
    ("POST", "/api/v1/conversations/{conversation_id:str}/messages"): {429},
    ("GET", "/api/v1/me/export"): {429},
    ("GET", "/api/v1/sync"): {410},
    ("GET", "/api/v1/me/key-backup"): {404},  # the account has no backup
    ("DELETE", "/api/v1/me/key-backup"): {404},
    ("GET", "/api/v1/search"): {404},  # conversation_id of a conversation not yours
    # The graphql flag off for the caller: the endpoint does not exist for them.
    ("POST", "/api/v1/graphql"): {404, 413, 415},
    ("GET", "/api/v1/graphql"): {404},
}


class Problem(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details; more members per code (errors, current, retry_after, refetch)."""

    type: str
    title: str
    status: int
    detail: str
    code: str


def statuses(handler: HTTPRouteHandler, public: bool) -> set[int]:
    methods = set(handler.http_methods)
    path = next(iter(handler.paths))
    out = {400, 431, 503}  # 503: any route may need a store that is away
    if not public:
        out |= {401, 403}
    if "{" in path:
        out.add(404)
    if "data" in inspect.signature(handler.fn).parameters:
        out.add(413)
        if _json_body(handler):
            out.add(415)
        if not public:
            out.add(404)  # a body names a user, message or conversation
    if methods & WRITES:
        out |= {409, 507}
        out.add(403)  # registration closed or invite-only
    for method in methods:
        out |= EXTRA.get((method, path), set())
    return out


def _json_body(handler: HTTPRouteHandler) -> bool:
    """Bodies decoded by BoundedRequest.json (uploads are multipart or raw bytes)."""
    return "JSONBody" in str(inspect.signature(handler.fn).parameters["data"].annotation)


def declare_errors(handlers: list[Any], public_paths: list[str]) -> None:
    """Set `responses` on every HTTP route handler (before the app is built)."""
    for handler in handlers:
        if not isinstance(handler, HTTPRouteHandler):
            continue
        path = next(iter(handler.paths))
        public = bool(handler.opt.get("exclude_from_auth")) or any(re.match(p, path) for p in public_paths)
        handler.responses = {
            **{status: ResponseSpec(data_container=Problem, media_type=PROBLEM, description=DESCRIPTIONS[status],
                                    generate_examples=False)
               for status in sorted(statuses(handler, public))},
            **(handler.responses or {}),
        }
