"""What each client frame does, through the same services as the REST API
(so validation, permissions, idempotency and rate limits are identical)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatd.errors import NotFound
from chatd.realtime import frames
from chatd.realtime.frames import Auth, Frame, Ping, Presence, Read, Send, Typing

if TYPE_CHECKING:
    from chatd.realtime.core import Realtime

# Frames that show the user is at the keyboard (they end an automatic "away").
ACTIVITY = (Send, Typing, Read)


async def handle(rt: Realtime, user_id: str, socket_id: str, frame: Frame) -> str | None:
    """Run one frame; the reply to send (None: nothing to say). ChatError
    propagates and becomes an `error` frame."""
    if isinstance(frame, Send):
        message, created = await rt.services.messages.send(user_id, frame.conversation_id, frame.message)
        return frames.ack(frame.id, message=message, created=created)
    if isinstance(frame, Typing):
        if not rt.hub.memberships.is_member(user_id, frame.conversation_id):
            raise NotFound("There is no such conversation.", code="conversation_not_found")
        forwarded = await rt.typing.typing(user_id, frame.conversation_id)
        return None if frame.id is None else frames.ack(frame.id, forwarded=forwarded)
    if isinstance(frame, Read):
        member = await rt.services.conversations.mark_read(user_id, frame.conversation_id, frame.seq)
        return None if frame.id is None else frames.ack(frame.id, last_read_seq=member.last_read_seq)
    if isinstance(frame, Presence):
        await rt.presence.set_state(user_id, socket_id, frame.state)
        return None if frame.id is None else frames.ack(frame.id, state=frame.state)
    if isinstance(frame, Ping):
        return frames.encode({"type": "pong", "id": frame.id})
    assert isinstance(frame, Auth)
    raise frames.FrameError("Already authenticated.", code="already_authenticated")
