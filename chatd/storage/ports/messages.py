"""Port: messages (the hot path), their reactions, history and full-text search.

Every mutating method is one atomic step that also appends its sync event
(`message.created`, `message.updated`, `message.deleted`, `reaction.changed`,
payload = the Message as it now is). Expected refusals that can only be
decided atomically (a version that moved on, an attachment claimed by a
concurrent send, a sender who is no longer a member) come back as the
exceptions below; the service turns them into API errors.

The atomic unit of a send (`append`): the sender's access is read, the
rules of `check_send` applied to it and the draft, the conversation's next
seq taken, the message stored and `message.created` recorded, all in one
step. The rules are data plus one pure function here, so every adapter
applies the same ones at the same moment, and no caller's code runs inside
an adapter's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import msgspec

from chatd.domain import Conversation, Envelope, Message, MessageKind


class Draft(msgspec.Struct, kw_only=True):
    """A message to append; the store assigns id, seq and created_at."""

    conversation_id: str
    sender_id: str
    client_id: str
    kind: MessageKind = "text"
    body: str | None = None
    envelope: Envelope | None = None
    reply_to: str | None = None
    attachments: list[str] = []
    mentions: list[str] = []


class SendAccess(msgspec.Struct, frozen=True, kw_only=True):
    """What decides whether a send may go in, read inside its write."""

    conversation: Conversation  # found only when the sender is a member
    # Direct conversations: the other member when either of the two blocked
    # the other, and whether the sender is the one who blocked.
    blocked_peer: str | None = None
    blocked_by_sender: bool = False
    reply_to_here: bool = False  # the draft's reply_to is a message of this conversation


class SendRefused(Exception):
    """A send the rules refuse; the write is undone (no seq consumed)."""


class NoConversation(SendRefused):
    """No such conversation, or the sender is not a member of it."""


class PeerBlocked(SendRefused):
    """A direct conversation where one of the two blocked the other."""

    def __init__(self, by_sender: bool):
        super().__init__("blocked")
        self.by_sender = by_sender


class EncryptionRequired(SendRefused):
    """The conversation is end-to-end encrypted and the draft is not an envelope."""


class ReplyElsewhere(SendRefused):
    """The draft's reply_to is not a message of this conversation."""


def check_send(access: SendAccess | None, draft: Draft) -> None:
    """The rules of a send, applied by the adapter inside its atomic step to
    what it read there (None: no such conversation, or not a member), so a
    membership change cannot slip between the check and the insert."""
    if access is None:
        raise NoConversation(draft.conversation_id)
    if access.blocked_peer is not None:
        raise PeerBlocked(access.blocked_by_sender)
    if access.conversation.e2ee and draft.kind != "encrypted":
        raise EncryptionRequired()
    if draft.reply_to is not None and not access.reply_to_here:
        raise ReplyElsewhere()


class HistoryPage(msgspec.Struct, kw_only=True):
    """Messages ordered by seq ascending; `has_more` = more exist beyond the
    page in the direction asked (older for before_seq/latest, newer for after_seq)."""

    items: list[Message]
    has_more: bool


class StaleVersion(Exception):
    """The stored message is not at the expected version (or was deleted)."""

    def __init__(self, current: Message | None):
        super().__init__("stale version")
        self.current = current


class MessageDeleted(Exception):
    """The message is a tombstone: it cannot change any more."""

    def __init__(self, current: Message):
        super().__init__("message deleted")
        self.current = current


class AttachmentsUnavailable(Exception):
    """Some attachment ids are not unattached uploads of this sender in this conversation."""


class ClientIdInUse(Exception):
    """The sender already used this client_id for a message in another conversation."""

    def __init__(self, first: Message):
        super().__init__("client_id in use")
        self.first = first


class TooManyReactions(Exception):
    """Adding this emoji would exceed the distinct emojis allowed on one message."""


def reacted(message: Message, *, user_id: str, emoji: str, add: bool,
            max_distinct: int) -> dict[str, list[str]] | None:
    """The message's reactions once `user_id` added or removed `emoji`, or
    None when that changes nothing (already there / not there). Raises
    MessageDeleted, TooManyReactions. Every adapter's `react` applies it."""
    if message.deleted_at is not None:
        raise MessageDeleted(message)
    users = message.reactions.get(emoji, [])
    reactions = dict(message.reactions)
    if add:
        if user_id in users:
            return None
        if emoji not in reactions and len(reactions) >= max_distinct:
            raise TooManyReactions()
        reactions[emoji] = [*users, user_id]
    else:
        if user_id not in users:
            return None
        rest = [u for u in users if u != user_id]
        if rest:
            reactions[emoji] = rest
        else:
            del reactions[emoji]
    return reactions


class MessageStore(Protocol):
    async def append(self, draft: Draft) -> tuple[Message, bool]:
        """The atomic unit of a send: `check_send` on the sender's access,
        then the next message of the conversation: seq = last_seq + 1 (gap-free,
        strictly increasing under concurrent senders), attachments claimed, the
        sender's last_read_seq advanced, `message.created` appended.
        Same sender + client_id again -> (the first message, False), no seq consumed.
        Raises a SendRefused (NoConversation, PeerBlocked, EncryptionRequired,
        ReplyElsewhere), AttachmentsUnavailable or ClientIdInUse."""
        ...

    async def get(self, message_id: str) -> Message | None: ...

    async def history(
        self, conversation_id: str, *, before_seq: int | None = None, after_seq: int | None = None, limit: int = 50
    ) -> HistoryPage:
        """One page: before_seq -> the newest `limit` below it; after_seq -> the
        oldest `limit` above it; neither -> the newest `limit`."""
        ...

    async def history_json(
        self, reader_id: str, conversation_id: str, *, before_seq: int | None = None, after_seq: int | None = None,
        limit: int = 50,
    ) -> bytes | None:
        """The same page as the API answers it: the JSON of its HistoryPage,
        read together with `reader_id`'s membership. None when the reader is
        not a member (or there is no such conversation): nothing is read then.
        (The history route's hot path: no Message objects on the way.)"""
        ...

    async def edit(
        self, message_id: str, *, expected_version: int, at: datetime, body: str | None = None,
        envelope: Envelope | None = None,
    ) -> Message:
        """Replace body (text) or envelope (encrypted) if the stored version is
        `expected_version`; version+1, edited_at=at, `message.updated`.
        Raises StaleVersion (with the current message, None if gone)."""
        ...

    async def delete(self, message_id: str, *, at: datetime) -> Message | None:
        """Tombstone: body, envelope, attachments, mentions and reactions erased,
        deleted_at=at, version+1, `message.deleted`. Already deleted -> returned
        unchanged (no event). None if there is no such message."""
        ...

    async def react(
        self, message_id: str, *, user_id: str, emoji: str, add: bool, max_distinct: int
    ) -> Message | None:
        """Add or remove `user_id`'s `emoji`; a no-op (already there / not there)
        changes nothing and emits nothing. Otherwise version+1 and `reaction.changed`.
        None if there is no such message. Raises MessageDeleted, TooManyReactions."""
        ...

    async def latest_in(self, conversation_ids: list[str]) -> dict[str, Message]:
        """The newest message (possibly a tombstone) of each conversation that has one."""
        ...

    async def search(
        self, user_id: str, query: str, *, conversation_id: str | None = None, limit: int = 20
    ) -> list[Message]:
        """Full-text match over live, non-encrypted messages of conversations
        `user_id` is a member of now, newest first. `query` is plain user text:
        never interpreted as query syntax."""
        ...
