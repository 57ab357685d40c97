"""The gateway in-process (Litestar's test client), for what a served app
cannot show quickly: a live socket's session is re-checked periodically."""

from __future__ import annotations

import asyncio
import gc
import json

import pytest
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect

from chatd.realtime import reader
from chatd.realtime.gateway import Session
from tests.conftest import register


async def test_a_logout_ends_live_sockets_at_the_next_check(client, monkeypatch):
    monkeypatch.setattr(reader, "REAUTH_EVERY", 0.2)
    ann = await register(client, "ann")
    ws = await client.websocket_connect("/api/v1/ws", headers=ann.headers)
    with ws:
        assert json.loads(ws.receive_text(timeout=5))["type"] == "hello"
        assert json.loads(ws.receive_text(timeout=5))["type"] == "ready"
        assert (await client.post("/api/v1/auth/logout", headers=ann.headers)).status_code == 204
        error = json.loads(ws.receive_text(timeout=5))
        assert error["type"] == "error" and error["status"] == 401
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text(timeout=5)
        assert closed.value.code == 4401


async def test_a_live_socket_keeps_going_while_its_session_is_valid(client, monkeypatch):
    monkeypatch.setattr(reader, "REAUTH_EVERY", 0.1)
    ann = await register(client, "ann")
    ws = await client.websocket_connect("/api/v1/ws", headers=ann.headers)
    with ws:
        ws.receive_text(timeout=5)
        ws.receive_text(timeout=5)
        for i in range(3):
            ws.send_text(json.dumps({"type": "ping", "id": i}))
            assert json.loads(ws.receive_text(timeout=5)) == {"type": "pong", "id": i}


def _sessions() -> int:
    """Live gateway sessions and Litestar WebSockets (each holds granian's
    per-socket objects)."""
    return sum(1 for o in gc.get_objects() if isinstance(o, (Session, WebSocket)))


async def test_a_closed_socket_is_freed_without_the_cyclic_collector(client):
    """No reference cycle outlives a socket: with the collector off (as on
    an idle server, where it never runs) its Session is gone at once."""
    ann = await register(client, "ann")
    gc.collect()
    gc.disable()
    try:
        ws = await client.websocket_connect("/api/v1/ws", headers=ann.headers)
        with ws:
            ws.receive_text(timeout=5)
            ws.receive_text(timeout=5)
            assert _sessions() == 2
        for _ in range(100):
            if _sessions() == 0:
                break
            await asyncio.sleep(0.02)
        assert _sessions() == 0
    finally:
        gc.enable()
