"""Conversation and its membership (the User <-> Conversation many-to-many)."""

from datetime import datetime
from typing import Literal

from chatd.domain.base import Entity

ConversationKind = Literal["direct", "group"]
MemberRole = Literal["owner", "admin", "member"]


class Member(Entity, kw_only=True):
    conversation_id: str
    user_id: str
    role: MemberRole = "member"
    joined_at: datetime
    last_read_seq: int = 0
    muted: bool = False


class Conversation(Entity, kw_only=True):
    id: str
    kind: ConversationKind
    title: str = ""
    topic: str = ""
    avatar: str | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None = None
    last_seq: int = 0
    e2ee: bool = False
    version: int = 1
