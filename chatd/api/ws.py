"""GET /api/v1/ws: the WebSocket gateway (protocol: chatd/realtime/frames.py)."""

from __future__ import annotations

from litestar import WebSocket, websocket

from chatd.realtime.gateway import serve


@websocket("/api/v1/ws")
async def ws(socket: WebSocket) -> None:
    """Authenticates by bearer header, `token.<t>` subprotocol beside `chatd`,
    the session cookie (own origin only) or a first `auth` frame; `?since=`
    resumes from a sync cursor."""
    await serve(socket, socket.app.state.realtime)


WS_ROUTES = [ws]
