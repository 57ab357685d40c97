"""WebSocket frames: typed views of what the server sends.

Event frames (they carry a `seq`) become chatd.domain.Event; `presence` and
`typing` become small Structs; anything else (ack, error, resync, hello, or a
type this client does not know yet) stays a plain dict.
"""

from __future__ import annotations

from typing import Any

import msgspec

from chatd.client.models import Frame, Presence, Typing
from chatd.domain import Event, Message

# Frames that never enter the sync log: they carry no cursor.
EPHEMERAL = frozenset({"presence", "typing", "ack", "error", "pong", "hello", "ready", "resync"})
# Answers to a client frame, matched by its `id`.
REPLIES = frozenset({"ack", "error", "pong"})


def typed(frame: Frame) -> Event | Presence | Typing | Frame:
    kind = frame.get("type")
    if kind == "presence":
        return msgspec.convert(frame, Presence, strict=False)
    if kind == "typing":
        return msgspec.convert(frame, Typing, strict=False)
    if kind not in EPHEMERAL and "seq" in frame:
        return msgspec.convert(frame, Event, strict=False)
    return frame


def acked_message(ack: Frame) -> Message:
    """The stored message an `ack` to a `send` frame carries."""
    if not isinstance(ack.get("message"), dict):
        raise ValueError(f"ack without a message: {sorted(ack)}")
    return msgspec.convert(ack["message"], Message, strict=False)


def encode(frame: dict[str, Any]) -> bytes:
    return msgspec.json.encode(frame)


decode = msgspec.json.Decoder().decode
