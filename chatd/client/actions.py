"""What a client says over its socket, each answered by an ack (or an error
raised as ChatdError): sending, typing, read receipts, presence, ping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from chatd.client import frames
from chatd.client.chats import message_body, new_client_id
from chatd.client.models import Frame
from chatd.domain import Message


class SocketActions:
    # Connection.request: send a frame with a fresh id, await its answer.
    request: Callable[..., Awaitable[Frame]]

    async def send_message(self, conversation_id: str, body: str | None = None, *, client_id: str | None = None,
                           timeout: float | None = 10.0, **fields: Any) -> Message:
        """Send over the socket (same rules and idempotency as the POST);
        returns the stored, durable Message."""
        data = message_body(body, client_id=client_id or new_client_id(), **fields)
        ack = await self.request({"type": "send", "conversation_id": conversation_id, **data}, timeout)
        return frames.acked_message(ack)

    async def typing(self, conversation_id: str) -> Frame:
        return await self.request({"type": "typing", "conversation_id": conversation_id})

    async def read(self, conversation_id: str, seq: int) -> Frame:
        """Mark read up to seq (forward only); the ack has `last_read_seq`."""
        return await self.request({"type": "read", "conversation_id": conversation_id, "seq": seq})

    async def presence(self, state: str) -> Frame:
        """Say "away" or "online" (the server also goes away by itself when idle)."""
        return await self.request({"type": "presence", "state": state})

    async def ping(self, timeout: float | None = 10.0) -> Frame:
        return await self.request({"type": "ping"}, timeout)

