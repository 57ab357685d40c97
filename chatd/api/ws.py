"""GET /api/v1/ws: the WebSocket gateway (protocol: chatd/realtime/frames.py)."""

from __future__ import annotations

from litestar import WebSocket, websocket

from chatd.realtime.gateway import Session


@websocket("/api/v1/ws")
async def ws(socket: WebSocket) -> None:
    """Authenticates by bearer header, `token.<t>` subprotocol beside `chatd`,
    the session cookie (own origin only) or a first `auth` frame; `?since=`
    resumes from a sync cursor."""
    try:
        # Session.run directly: each coroutine in the chain is a frame kept
        # for the socket's whole life.
        await Session(socket, socket.app.state.realtime).run()
    finally:
        # Litestar's WebSocket wraps its receive and send in closures over
        # itself: a reference cycle that kept each closed socket (granian's
        # buffers with it) until a full collection, which an idle server never
        # runs (5,000 closed sockets held 540 MB). Nothing uses them now.
        socket.receive = socket.send = None  # type: ignore[assignment]


WS_ROUTES = [ws]
