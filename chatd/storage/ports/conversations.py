"""Port: conversations and their members (the core reads every capability uses)."""

from __future__ import annotations

from typing import Protocol

from chatd.domain import Conversation, Member


class ConversationStore(Protocol):
    async def get(self, conversation_id: str) -> Conversation | None: ...

    async def member(self, conversation_id: str, user_id: str) -> Member | None:
        """The caller's membership, or None: the access check of everything
        inside a conversation."""
        ...

    async def members(self, conversation_id: str) -> list[Member]: ...
