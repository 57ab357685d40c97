"""A graphql-transport-ws client for tests: init, subscribe, read `next`s."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

PROTOCOL = "graphql-transport-ws"


class GqlSocket:
    def __init__(self, ws: websockets.ClientConnection):
        self.ws = ws

    @classmethod
    async def open(cls, url: str, token: str | None, *, in_payload: bool = False) -> GqlSocket:
        target = url.replace("http", "ws", 1) + "/api/v1/graphql"
        headers = {"Authorization": f"Bearer {token}"} if token and not in_payload else {}
        ws = await websockets.connect(target, subprotocols=[PROTOCOL], additional_headers=headers,
                                      open_timeout=5, close_timeout=1)
        sock = cls(ws)
        await sock.send({"type": "connection_init", "payload": {"token": token} if in_payload else {}})
        return sock

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, timeout: float = 5.0) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def acked(self) -> None:
        assert (await self.receive())["type"] == "connection_ack"

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        await self.send({"type": "subscribe", "id": op_id, "payload": {"query": query, "variables": variables or {}}})

    async def nexts(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        out = []
        async with asyncio.timeout(timeout):
            while len(out) < count:
                message = await self.receive(timeout)
                assert message["type"] == "next", message
                out.append(message["payload"])
        return out

    async def quiet(self, seconds: float = 0.6) -> list[dict[str, Any]]:
        """Whatever arrives within `seconds` (expected: nothing)."""
        out = []
        try:
            while True:
                out.append(await self.receive(seconds))
        except TimeoutError:
            return out

    async def close(self) -> None:
        await self.ws.close()
