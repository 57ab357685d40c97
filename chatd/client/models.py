"""Answer shapes of the API that are not bare domain entities.

Entities themselves (User, Conversation, Message, ...) come from chatd.domain,
so the client, the server and the JSON Schemas agree on one definition.
Unknown fields are ignored when decoding: a newer server may add some.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

import msgspec

from chatd.domain import Contact, Conversation, Event, Member, Message, PublicUser, User
from chatd.domain.auth import ApiToken

T = TypeVar("T")


class Items(msgspec.Struct, Generic[T]):
    """A list endpoint's `{"items": [...]}`."""

    items: list[T]


class Login(msgspec.Struct):
    """register/login: the own user and a bearer token for it."""

    user: User
    token: str


class MemberView(Member, kw_only=True):
    """A membership plus the member's public profile."""

    user: PublicUser | None = None


class ConversationView(Conversation, kw_only=True):
    """A conversation as one member sees it: unread count, newest message,
    the members."""

    unread: int = 0
    last_message: Message | None = None
    members: list[MemberView] = []


class ContactView(Contact, kw_only=True):
    """My side of a contact relation plus the other user's public profile."""

    user: PublicUser | None = None


class NewToken(ApiToken, kw_only=True):
    """A personal API token just created: the only time `token` is shown."""

    token: str


class MessagePage(msgspec.Struct, kw_only=True):
    """One history page, ordered by seq ascending; `has_more`: more exist in
    the direction asked (older for before_seq/latest, newer for after_seq)."""

    items: list[Message]
    has_more: bool = False


class SyncPage(msgspec.Struct, kw_only=True):
    """GET /sync: events after the cursor, the cursor to ask from next time,
    and whether more are waiting right now."""

    events: list[Event]
    next: str
    more: bool = False


class Presence(msgspec.Struct, kw_only=True):
    """A `presence` frame: another user went online, away or offline."""

    user_id: str
    state: Literal["online", "away", "offline"]
    last_seen_at: datetime | None = None


class Typing(msgspec.Struct, kw_only=True):
    """A `typing` frame: ephemeral, shown for `expires_in` seconds unless
    another one (or the user's message) comes first."""

    conversation_id: str
    user_id: str
    expires_in: float = 6.0


Frame = dict[str, Any]
