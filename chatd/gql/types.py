"""GraphQL object types: the domain entities as clients see them over REST
(the same fields, camelCased by strawberry), built from the msgspec Structs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec
import strawberry
from strawberry.scalars import JSON

from chatd import domain

if TYPE_CHECKING:
    from chatd.gql.context import Context


def _json(value: Any) -> Any:
    return msgspec.to_builtins(value)


@strawberry.type
class PublicUser:
    """Answered from domain.User / domain.PublicUser as they are where a
    list holds many (the same field names; only these fields are in the
    schema): no copy per member of every conversation on a page."""

    id: str
    username: str
    display_name: str
    avatar: str | None
    bio: str
    status_text: str

    @classmethod
    def of(cls, u: domain.PublicUser | domain.User) -> PublicUser:
        return cls(id=u.id, username=u.username, display_name=u.display_name, avatar=u.avatar, bio=u.bio,
                   status_text=u.status_text)


@strawberry.type
class Attachment:
    """A file sent in a conversation; its bytes and thumbnail are at
    /api/v1/attachments/{id} and …/thumbnail (GraphQL carries no bytes)."""

    id: str
    uploader_id: str
    conversation_id: str
    message_id: str | None
    filename: str
    content_type: str
    size: float  # bytes; a GraphQL Int stops at 2^31
    sha256: str
    width: int | None
    height: int | None
    duration: float | None
    thumbnail: bool
    encrypted: bool
    created_at: datetime

    @classmethod
    def of(cls, a: domain.Attachment) -> Attachment:
        return cls(**{f: getattr(a, f) for f in a.__struct_fields__})


@strawberry.type
class Me(PublicUser):
    role: str
    preferences: JSON
    version: int
    created_at: datetime

    @classmethod
    def of(cls, u: domain.User) -> Me:  # type: ignore[override]
        return cls(id=u.id, username=u.username, display_name=u.display_name, avatar=u.avatar, bio=u.bio,
                   status_text=u.status_text, role=u.role, preferences=_json(u.preferences), version=u.version,
                   created_at=u.created_at)


@strawberry.type
class Message:
    id: str
    conversation_id: str
    sender_id: str
    seq: int
    client_id: str
    kind: str
    body: str | None
    envelope: JSON | None
    reply_to: str | None
    attachments: list[str]
    mentions: list[str]
    reactions: JSON
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    version: int

    @strawberry.field
    async def sender(self, info: strawberry.Info[Context, Any]) -> PublicUser | None:
        """Batched: one user lookup per request for all senders on a page (DataLoader)."""
        return await info.context.users.load(self.sender_id)  # type: ignore[return-value] # see PublicUser

    @classmethod
    def of(cls, m: domain.Message) -> Message:
        return cls(id=m.id, conversation_id=m.conversation_id, sender_id=m.sender_id, seq=m.seq, client_id=m.client_id,
                   kind=m.kind, body=m.body, envelope=None if m.envelope is None else _json(m.envelope),
                   reply_to=m.reply_to, attachments=m.attachments, mentions=m.mentions, reactions=_json(m.reactions),
                   created_at=m.created_at, edited_at=m.edited_at, deleted_at=m.deleted_at, version=m.version)


@strawberry.type
class Member:
    user_id: str
    role: str
    joined_at: datetime
    last_read_seq: int
    muted: bool
    user: PublicUser | None

    @classmethod
    def of(cls, m: domain.Member, user: domain.PublicUser | None) -> Member:
        return cls(user_id=m.user_id, role=m.role, joined_at=m.joined_at, last_read_seq=m.last_read_seq,
                   muted=m.muted, user=user)  # type: ignore[arg-type] # see PublicUser


@strawberry.type
class Conversation:
    id: str
    kind: str
    title: str
    topic: str
    avatar: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None
    last_seq: int
    e2ee: bool
    version: int
    unread: int
    last_message: Message | None
    members: list[Member]

    @classmethod
    def of(cls, o: Any) -> Conversation:
        """From a services.conversations.Overview (members, users and last
        messages of a whole list come in a fixed number of store calls)."""
        c = o.conversation
        return cls(id=c.id, kind=c.kind, title=c.title, topic=c.topic, avatar=c.avatar, created_by=c.created_by,
                   created_at=c.created_at, updated_at=c.updated_at, last_message_at=c.last_message_at,
                   last_seq=c.last_seq, e2ee=c.e2ee, version=c.version, unread=o.unread,
                   last_message=None if o.last_message is None else Message.of(o.last_message),
                   members=[Member.of(m, o.users.get(m.user_id)) for m in o.members])


@strawberry.type
class ConversationPage:
    items: list[Conversation]
    next: str | None  # pass as `after` for the next page; null = no more


@strawberry.type
class MessagePage:
    items: list[Message]
    has_more: bool


@strawberry.type
class Contact:
    user_id: str
    status: str
    alias: str
    note: str
    created_at: datetime
    updated_at: datetime
    user: PublicUser

    @classmethod
    def of(cls, c: domain.Contact, user: domain.PublicUser) -> Contact:
        return cls(user_id=c.user_id, status=c.status, alias=c.alias, note=c.note, created_at=c.created_at,
                   updated_at=c.updated_at, user=PublicUser.of(user))


@strawberry.type
class Event:
    seq: int
    type: str
    conversation_id: str | None
    payload: JSON
    created_at: datetime
    # The cursor to resume after this event (subscriptions, sync).
    cursor: str

    @classmethod
    def of(cls, e: domain.Event) -> Event:
        return cls(seq=e.seq, type=e.type, conversation_id=e.conversation_id, payload=_json(e.payload),
                   created_at=e.created_at, cursor=str(e.seq))


@strawberry.type
class SyncPage:
    events: list[Event]
    next: str
    more: bool
