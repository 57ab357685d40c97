"""A WebSocket's data frames go to the server's own ASGI send, past
Litestar's per-message wrappers (api/socket_send.py); the accept and the
close still go through Litestar."""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

from chatd.api.socket_send import RAW_SEND

LITESTAR_WRAPPERS = {"wrapped_send", "capture_response_started"}


async def test_a_sockets_frames_reach_the_servers_send_directly(client):
    sent: list[tuple[dict[str, Any], set[str]]] = []

    async def send(message: dict[str, Any]) -> None:
        callers = {f.function for f in inspect.stack()[1:]}
        sent.append((message, callers))

    incoming = [{"type": "websocket.connect"}]

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(3600)
        raise AssertionError("not reached")

    scope = {"type": "websocket", "asgi": {"version": "3.0"}, "http_version": "1.1", "scheme": "ws",
             "path": "/api/v1/ws", "raw_path": b"/api/v1/ws", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"authorization", b"Bearer not-a-token")],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "subprotocols": [], "extensions": {}}
    await asyncio.wait_for(client.app(scope, receive, send), 10)
    assert scope[RAW_SEND] is send
    kinds = [m["type"] for m, _ in sent]
    assert kinds == ["websocket.accept", "websocket.send", "websocket.close"], kinds
    (accept, via_accept), (frame, via_frame), (close, via_close) = sent
    assert json.loads(frame["text"])["code"] == "invalid_token"
    assert close["code"] == 4401
    assert not via_frame & LITESTAR_WRAPPERS, via_frame
    assert via_accept & LITESTAR_WRAPPERS and via_close & LITESTAR_WRAPPERS


async def test_an_http_request_scope_is_left_as_it_was(client):
    seen: list[dict[str, Any]] = []

    async def hook(message: Any, scope: Any) -> None:
        seen.append(scope)

    client.app.before_send.append(hook)
    try:
        assert (await client.get("/healthz")).status_code == 200
    finally:
        client.app.before_send.remove(hook)
    assert seen and all(RAW_SEND not in scope for scope in seen)
