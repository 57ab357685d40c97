"""The bus between committing writers and every process's hub: the stores'
fan-out carrier (storage/ports/fanout.py: in-process memory, or Redis
pub/sub between processes), plus the small messages that travel on it.

Why one channel for everything rather than one per user or conversation:
every hub must see events in seq order to keep its membership view exact,
and one stream is the only order a pub/sub backend preserves. A hub then
fans out in-process with plain dictionary lookups (no subscription churn
when people join or leave). A message carries the event frame already
encoded (msgspec.Raw), so a hub never re-encodes it per socket.
"""

from __future__ import annotations

import logging

import msgspec

from chatd.storage.ports.events import EventNote
from chatd.storage.ports.fanout import Fanout

log = logging.getLogger("chatd.realtime")

MEMBER_EVENTS = ("member.joined", "member.left")


class EventMsg(msgspec.Struct, tag_field="k", tag="e", kw_only=True):
    """A committed event: who may see it and its wire frame."""

    seq: int
    type: str
    conversation_id: str | None = None
    user_id: str | None = None  # set: only this user sees it
    member: str | None = None  # member.*: whose membership changed
    disabled: bool = False  # user.updated of a user now disabled
    frame: msgspec.Raw


class TypingMsg(msgspec.Struct, tag_field="k", tag="t", kw_only=True):
    conversation_id: str
    user_id: str
    frame: msgspec.Raw


class PresenceMsg(msgspec.Struct, tag_field="k", tag="p", kw_only=True):
    """A presence change and the users allowed to see it."""

    to: list[str]
    frame: msgspec.Raw


BusMsg = EventMsg | TypingMsg | PresenceMsg
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(BusMsg).decode


def event_msg(note: EventNote) -> EventMsg:
    event, payload = note.event, note.event.payload
    member = payload.get("user_id") if event.type in MEMBER_EVENTS else None
    disabled = event.type == "user.updated" and payload.get("disabled") is True
    return EventMsg(seq=event.seq, type=event.type, conversation_id=event.conversation_id, user_id=note.user_id,
                    member=member, disabled=disabled,
                    frame=msgspec.Raw(note.frame if note.frame is not None else _encode(event)))


def decode(data: bytes) -> BusMsg:
    return _decode(data)


class Bus:
    def __init__(self, fanout: Fanout):
        self.fanout = fanout

    def publish_commit(self, notes: list[EventNote]) -> None:
        """The committed-events listener: called after COMMIT, never before,
        so no socket sees what a crash could still take back."""
        for note in notes:
            self.publish(event_msg(note))

    def publish(self, msg: BusMsg) -> None:
        # Never blocks; after close it is dropped (clients resume from the log).
        self.fanout.publish(_encode(msg))
