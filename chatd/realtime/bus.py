"""The bus between committing writers and every process's hub: Litestar's
ChannelsPlugin on one channel, plus the small messages that travel on it.

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
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.subscriber import Subscriber

from chatd.config import Config, ConfigError
from chatd.storage.ports.events import EventNote

log = logging.getLogger("chatd.realtime")

CHANNEL = "chatd"
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
                    member=member, disabled=disabled, frame=msgspec.Raw(_encode(event)))


def decode(data: bytes) -> BusMsg:
    return _decode(data)


def open_channels(config: Config) -> ChannelsPlugin:
    """The channels backend for storage.cache. "memory" serves one process;
    a Redis URL would pick `RedisChannelsPubSubBackend` here (no history
    needed: the sync log is the history) once the Redis adapters exist."""
    if config.storage.cache != "memory":
        raise ConfigError(f"storage.cache = {config.storage.cache!r}: only 'memory' fan-out is available yet")
    return ChannelsPlugin(backend=MemoryChannelsBackend(history=0), channels=[CHANNEL])


class Bus:
    def __init__(self, channels: ChannelsPlugin):
        self.channels = channels

    def publish_commit(self, notes: list[EventNote]) -> None:
        """The Database's on_commit hook: called after COMMIT, never before,
        so no socket sees what a crash could still take back."""
        for note in notes:
            self.publish(event_msg(note))

    def publish(self, msg: BusMsg) -> None:
        try:
            self.channels.publish(_encode(msg), CHANNEL)
        except RuntimeError:
            # Shutting down (the plugin's queue is gone): sockets are closing
            # and clients resume from the log.
            log.debug("bus closed; dropped %s", type(msg).__name__)

    async def subscribe(self) -> Subscriber:
        return await self.channels.subscribe(CHANNEL)
