"""Which requests the lane looks at: POST or GET of exactly
/api/v1/conversations/{id}/messages with an Authorization header."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from litestar import Litestar
from litestar.types import Receive, Scope, Send

from chatd.api.fast_lane.history import list_messages
from chatd.api.fast_lane.request import read_headers
from chatd.api.fast_lane.send import send_message
from chatd.api.struct_body import struct_decoder

PREFIX = "/api/v1/conversations/"
SUFFIX = "/messages"


class FastLane:
    def __init__(self, app: Litestar, litestar: Any):
        from chatd.api.messages import send_message as send_route

        # The app's copy of the route handler: its body limit and body Struct.
        handler = next(h for r in app.routes for h in getattr(r, "route_handlers", ()) if h.fn is send_route.fn)
        self.decoder = struct_decoder(handler)
        self.max_body = handler.resolve_request_max_body_size()
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
        headers = read_headers(scope)
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
