"""The lane's answers, as Litestar would send them: a JSON body with
content-type then content-length, the security headers added by the same
before_send hook; an error raised by the service goes through the app's
own exception handlers (problem details, the access-log lines)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.types import Receive, Scope, Send

from chatd.api.headers import security_headers

JSON = b"application/json"


async def json_answer(scope: Scope, send: Send, status: int, body: bytes) -> None:
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", JSON), (b"content-length", str(len(body)).encode())]}
    await security_headers(start, scope)  # type: ignore[arg-type]
    await send(start)  # type: ignore[arg-type]
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def error_answer(app: Litestar, scope: Scope, receive: Receive, send: Send, exc: Exception, path_params: dict[str, Any],
                       user: Any, auth: Any) -> None:
    """What Litestar's exception middleware makes of `exc` raised in the
    route: the handler for its type (problems.HANDLERS), with a Request that
    knows the caller and the path parameters (the access log names them)."""
    from litestar.middleware._internal.exceptions.middleware import get_exception_handler

    scope["app"] = scope["litestar_app"] = app  # type: ignore[typeddict-unknown-key]
    scope.setdefault("state", {})
    scope["path_params"] = path_params
    scope["user"] = user
    scope["auth"] = auth
    handler = get_exception_handler(app.exception_handlers, exc)
    request = app.request_class(scope=scope, receive=receive, send=send)
    response = handler(request, exc)  # type: ignore[misc]
    await response.to_asgi_response(app=None, request=request, type_encoders=app.type_encoders)(
        scope, receive, app._wrap_send(send=send, scope=scope))
