"""The server's own ASGI `send` of a WebSocket, kept in its scope for the
socket's data frames.

Litestar hands a WebSocket handler a `send` wrapped four times: the app's
before_send hooks (security headers: HTTP responses only), the exception
middleware's "response started" capture at the app and at the route (both
look for `http.response.start` only), and the WebSocket's own check that
the receive side has not seen a disconnect (the server's send refuses a
closed socket by itself). A data frame goes through four coroutines that
do nothing for it: 3.3% of a durable WebSocket send's instructions, three
frames a send (the ack, the event to each member's socket). The accept and
the close still go through Litestar.

The same entry point hands the two hot message routes' plain bearer
requests to the fast lane (chatd/api/fast_lane), which gives back to
Litestar whatever it does not take.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from litestar.types import Receive, Scope, Send

from chatd.api.batch_routes import BatchedRegistration

RAW_SEND = "chatd.raw_send"


class ChatdApp(BatchedRegistration):  # (its routes registered in one pass: batch_routes.py)
    fast_lane: Any = None  # chatd/api/fast_lane: set by create_app

    # Not a coroutine function of its own: Litestar's coroutine (or the fast
    # lane's) is returned as it is.
    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Coroutine[Any, Any, None]:  # type: ignore[override]
        kind = scope["type"]
        if kind == "websocket":
            scope[RAW_SEND] = send  # type: ignore[literal-required]
        elif kind == "http" and self.fast_lane is not None:
            lane = self.fast_lane.route(self, scope, receive, send)
            if lane is not None:
                return lane
        return super().__call__(scope, receive, send)
