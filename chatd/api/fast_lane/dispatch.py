"""Which requests the lane looks at: POST or GET of exactly
/api/v1/conversations/{id}/messages with a bearer token or a session cookie."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.types import Receive, Scope, Send

from chatd.api.fast_lane.history import list_messages
from chatd.api.fast_lane.request import read_headers
from chatd.api.fast_lane.send import send_message
from chatd.api.header_limit import header_limit
from chatd.api.messages import list_messages as history_route
from chatd.api.messages import send_message as send_route
from chatd.api.problems import HANDLERS
from chatd.api.security import auth_middleware, session_cookie_name
from chatd.api.struct_body import struct_decoder

PREFIX = "/api/v1/conversations/"
SUFFIX = "/messages"


class FastLane:
    def __init__(self, app: Litestar, litestar: Any):
        routes = {h.fn: h for r in app.routes for h in getattr(r, "route_handlers", ())}
        send, history = routes[send_route.fn], routes[history_route.fn]  # the app's copies
        _only_what_the_lane_does(app, send, history)
        self.decoder = struct_decoder(send)
        self.max_body = send.resolve_request_max_body_size()
        self.litestar = litestar  # Litestar.__call__, the way back

    def route(self, app: Litestar, scope: Scope, receive: Receive, send: Send) -> Coroutine[Any, Any, None] | None:
        """The lane's coroutine for this request, or None: Litestar's."""
        path = scope["path"]
        if not (path.startswith(PREFIX) and path.endswith(SUFFIX)) or scope.get("root_path"):
            return None
        conversation_id = path[len(PREFIX):-len(SUFFIX)]
        if not conversation_id or "/" in conversation_id:
            return None
        method = scope["method"]
        job = send_message if method == "POST" else list_messages if method == "GET" else None
        if job is None:
            return None
        headers = read_headers(scope, session_cookie_name(app.state.config))
        if headers is None:
            return None
        scope["app"] = scope["litestar_app"] = app  # type: ignore[typeddict-unknown-key]  # as Litestar sets it
        return job(self, app, scope, receive, send, headers, conversation_id)

    @staticmethod
    async def authenticated(app: Litestar, token: str) -> Any:
        """(user, session), or None when the auth middleware would refuse."""
        try:
            return await app.state.runtime.services.accounts.authenticate(token)
        except Exception:  # noqa: BLE001 - refused: the middleware refuses again, and answers
            return None


def _only_what_the_lane_does(app: Litestar, *handlers: HTTPRouteHandler) -> None:
    """The lane does what the two routes' middleware, hooks and error handlers
    do, nothing more: one added to them (a guard, a middleware, an
    after_request...) stops the app from starting until the lane learns it."""
    for handler in handlers:
        extra = [
            *(m for m in handler.resolve_middleware() if m not in (header_limit, auth_middleware)),
            *handler.resolve_guards(),
            *(hook for hook in (handler.resolve_before_request(), handler.resolve_after_response()) if hook),
            *(layer.after_request for layer in handler.ownership_layers if getattr(layer, "after_request", None)),
            *handler.resolve_response_headers(),
            *handler.resolve_response_cookies(),
            *(t for t, f in handler.resolve_exception_handlers().items() if HANDLERS.get(t) is not f),
        ]
        if extra:
            raise RuntimeError(f"the fast lane does not know {extra!r} of {handler}: teach it, or build the app "
                               "with create_app(fast_lane=False)")
