"""The lane's answers, as Litestar would send them: a JSON body with
content-type then content-length, through the app's before_send hooks (the
security headers); an error raised by the service goes through the app's
own exception handlers (problem details, the access-log lines)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.middleware._internal.exceptions.middleware import get_exception_handler
from litestar.types import Receive, Scope, Send

JSON = b"application/json"


async def json_answer(app: Litestar, scope: Scope, send: Send, status: int, body: bytes) -> None:
    start: Any = {"type": "http.response.start", "status": status,
                  "headers": [(b"content-type", JSON), (b"content-length", str(len(body)).encode())]}
    send = app._wrap_send(send=send, scope=scope)  # the before_send hooks: security_headers
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def error_answer(app: Litestar, scope: Scope, receive: Receive, send: Send, exc: Exception,
                       path_params: dict[str, Any], user: Any, auth: Any) -> None:
    """What Litestar's exception middleware makes of `exc` raised in the
    route: the handler for its type (problems.HANDLERS), with a Request that
    knows the caller and the path parameters (the access log names them)."""
    scope.setdefault("state", {})
    scope["path_params"] = path_params
    scope["user"] = user
    scope["auth"] = auth
    handler = get_exception_handler(app.exception_handlers, exc)
    request = app.request_class(scope=scope, receive=receive, send=send)
    response = handler(request, exc)  # type: ignore[misc]
    await response.to_asgi_response(app=None, request=request, type_encoders=app.type_encoders)(
        scope, receive, app._wrap_send(send=send, scope=scope))
