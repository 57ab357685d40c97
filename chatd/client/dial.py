"""Opening one WebSocket to the gateway: connect, authenticate, and wait for
its `hello`; what a refusal means."""

from __future__ import annotations

import asyncio
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from chatd.client import frames
from chatd.client.errors import ChatdError, ConnectionLost
from chatd.client.models import Frame

# Refusals that retrying will not change (HTTP status of the problem).
FATAL_STATUS = frozenset({400, 401, 403, 404})
# Close codes after which reconnecting cannot help, as the HTTP status they
# mean (the gateway closes with 4000 + status). 4408 idle, 4429 too slow and
# 1012 restart are not here: they ask for a reconnect. 4409: a newer socket
# of the same user replaced this one; reconnecting would replace that one.
FATAL_CLOSE = {1008: 403, 4400: 400, 4401: 401, 4403: 403, 4409: 409}
# Codes of a cursor that can no longer be resumed from.
CURSOR_GONE = frozenset({"cursor_expired", "cursor_unknown"})


def ws_url(base_url: str, cursor: str | None) -> str:
    url = base_url.rstrip("/").replace("http", "ws", 1) + "/api/v1/ws"
    return url + (f"?since={cursor}" if cursor is not None else "")


async def dial(url: str, token: str, auth: str, options: dict[str, Any]) -> tuple[ClientConnection, Frame]:
    """Connect and authenticate with an Authorization header (scripts, bots),
    a subprotocol, or a first `auth` frame (browsers must use one of the
    last two); returns the socket and its `hello`."""
    options = dict(options)
    # granian sometimes leaves a client's close unanswered when a frame was
    # in flight as it arrived (it logs "Attempted to write to a closed
    # websocket"); then close() waits this long, not websockets' 10 s.
    options.setdefault("close_timeout", 2.0)
    if auth == "header":
        options["additional_headers"] = {"Authorization": f"Bearer {token}"}
    elif auth == "subprotocol":
        options["subprotocols"] = ["chatd", f"bearer.{token}"]
    try:
        ws = await websockets.connect(url, **options)
    except InvalidStatus as err:
        raise ChatdError.of_response(err.response.status_code, err.response.body or b"") from None
    try:
        if auth == "frame":
            await ws.send(frames.encode({"type": "auth", "token": token}), text=True)
        return ws, await _greeting(ws, options.get("open_timeout") or 10.0)
    except BaseException:
        ws.transport.abort()
        raise


async def _greeting(ws: ClientConnection, timeout: float) -> Frame:
    """The `hello` that says the socket is authenticated; a refusal (an
    `error` frame, then a close) raises it as a ChatdError."""
    try:
        first = frames.decode(await asyncio.wait_for(ws.recv(decode=False), timeout))
    except ConnectionClosed:
        raise closed(ws.close_code, ws.close_reason or "") from None
    if first.get("type") == "hello":
        return first
    if first.get("type") == "error":
        raise ChatdError.of_problem(int(first.get("status") or 0), first)
    raise ConnectionLost(f"expected a hello frame, got {first.get('type')!r}")


def closed(code: int | None, reason: str) -> Exception:
    """Why the stream ended when the server closed it."""
    if code in FATAL_CLOSE:
        return ChatdError(FATAL_CLOSE[code], reason or "refused", f"socket closed ({code})")
    return ConnectionLost(f"closed by the server: {code} {reason}".strip())
