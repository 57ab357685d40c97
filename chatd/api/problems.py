"""Every error leaves as RFC 9457 problem details with a stable `code`.

Stack traces and internal messages never reach the client; a 500 is logged
with an `incident` id that its answer also carries, so a user's report can
be matched to the stack trace in the log.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from chatd import ids
from chatd.api import access_log
from chatd.errors import ChatError, StoreUnavailable

log = logging.getLogger("chatd")

PROBLEM = "application/problem+json"

# Stable codes for the framework's own HTTP errors.
HTTP_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    431: "headers_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "unavailable",
}


def problem_body(status: int, code: str, title: str, detail: str, **extra: Any) -> bytes:
    body = {"type": f"https://chatd.dev/problems/{code}", "title": title, "status": status, "detail": detail, "code": code}
    body.update(extra)
    return msgspec.json.encode(body)


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> Response[bytes]:
    headers = {}
    if status == 429 and "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return Response(problem_body(status, code, title, detail, **extra), status_code=status, media_type=PROBLEM,
                    headers=headers)


def on_chat_error(request: Request, exc: ChatError) -> Response[bytes]:
    if exc.status == 403:
        access_log.refused(request, exc)
    elif exc.status == 404:
        access_log.not_found(request, exc)
    extra = {k: msgspec.to_builtins(v) for k, v in exc.extra.items()}
    response = problem(exc.status, exc.code, exc.title, exc.detail, **extra)
    response.headers.update(exc.headers)
    return response


def on_validation(_: Request, exc: ValidationException) -> Response[bytes]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    return problem(400, "invalid", "Invalid input", str(exc.detail), errors=errors)


def on_http(_: Request, exc: HTTPException) -> Response[bytes]:
    code = HTTP_CODES.get(exc.status_code, "error")
    title = exc.detail if exc.status_code >= 500 else _title(exc)
    response = problem(exc.status_code, code, title, str(exc.detail))
    response.headers.update(exc.headers or {})
    return response


def on_crash(request: Request, exc: Exception) -> Response[bytes]:
    runtime = getattr(request.app.state, "runtime", None)
    store = runtime.stores.unreachable(exc) if runtime is not None else None
    if store is not None:  # a store away is the admin's to fix, not a bug: one line, no trace
        log.warning("%s %s: the %s store does not answer (%s)", request.method, request.url.path, store,
                    type(exc).__name__)
        return on_chat_error(request, StoreUnavailable(store))
    incident = ids.new_id()
    log.exception("unhandled error (incident %s) on %s %s", incident, request.method, request.url.path, exc_info=exc)
    return problem(500, "internal", "Internal server error",
                   f"Something went wrong on the server (incident {incident}).", incident=incident)


def _title(exc: HTTPException) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(exc.status_code).phrase
    except ValueError:
        return "Error"


HANDLERS = {
    ChatError: on_chat_error,
    ValidationException: on_validation,
    HTTPException: on_http,
    Exception: on_crash,
}
