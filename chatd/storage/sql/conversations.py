"""Conversations and members in SQL: reads here, writes in conversation_writes.py."""

from __future__ import annotations

from collections.abc import Collection

from chatd.domain import Conversation, Member
from chatd.storage.ports.conversations import DecideMembers, DecideUpdate, MemberPlan
from chatd.storage.sql import conversation_writes as writes
from chatd.storage.sql.conversation_drop import SqlConversationDrop
from chatd.storage.sql.conversation_rows import (  # noqa: F401 - re-exported for other adapters
    CONVERSATION_COLUMNS,
    JOINED_COLUMNS,
    MEMBER_COLUMNS,
    MEMBER_ORDER,
    conversation_of,
    fetch_conversation,
    fetch_member,
    fetch_members,
    member_of,
    placeholders,
)
from chatd.storage.sql.db import Conn, Database

class SqlConversationStore(SqlConversationDrop):
    def __init__(self, db: Database):
        self.db = db

    async def get(self, conversation_id: str) -> Conversation | None:
        return await self.db.read(lambda c: fetch_conversation(c, conversation_id))

    async def member(self, conversation_id: str, user_id: str) -> Member | None:
        return await self.db.read(lambda c: fetch_member(c, conversation_id, user_id))

    async def members(self, conversation_id: str) -> list[Member]:
        return await self.db.read(lambda c: fetch_members(c, conversation_id))

    async def members_of(self, conversation_ids: Collection[str]) -> dict[str, list[Member]]:
        ids = list(dict.fromkeys(conversation_ids))
        out: dict[str, list[Member]] = {i: [] for i in ids}
        if not ids:
            return out

        async def run(c: Conn) -> None:
            rows = await c.fetch(
                f"SELECT {MEMBER_COLUMNS} FROM members WHERE conversation_id IN ({placeholders(len(ids))})"
                f" {MEMBER_ORDER}",
                *ids,
            )
            for r in rows:
                out[r["conversation_id"]].append(member_of(r))

        await self.db.read(run)
        return out

    async def member_counts(self, conversation_ids: Collection[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(conversation_ids))
        out = dict.fromkeys(ids, 0)
        if not ids:
            return out

        async def run(c: Conn) -> None:
            rows = await c.fetch(
                "SELECT conversation_id, COUNT(*) AS n FROM members"
                f" WHERE conversation_id IN ({placeholders(len(ids))}) GROUP BY conversation_id",
                *ids,
            )
            for r in rows:
                out[r["conversation_id"]] = int(r["n"])

        await self.db.read(run)
        return out

    async def list_for(self, user_id: str) -> list[tuple[Conversation, Member]]:
        async def run(c: Conn) -> list[tuple[Conversation, Member]]:
            rows = await c.fetch(
                f"SELECT {JOINED_COLUMNS} FROM members m JOIN conversations c ON c.id = m.conversation_id"
                " WHERE m.user_id = $1 ORDER BY COALESCE(c.last_message_at, c.created_at) DESC, c.id DESC",
                user_id,
            )
            return [(conversation_of(r), member_of(r)) for r in rows]

        return await self.db.read(run)

    async def create_direct(self, conversation: Conversation, members: list[Member]) -> tuple[Conversation, bool]:
        return await self.db.write(lambda c: writes.create_direct(c, conversation, members))

    async def create_group(self, conversation: Conversation, members: list[Member]) -> Conversation:
        return await self.db.write(lambda c: writes.create_group(c, conversation, members))

    async def update(self, conversation_id: str, decide: DecideUpdate) -> Conversation:
        return await self.db.write(lambda c: writes.update(c, conversation_id, decide))

    async def change_members(self, conversation_id: str, decide: DecideMembers) -> MemberPlan:
        return await self.db.write(lambda c: writes.change_members(c, conversation_id, decide))

    async def advance_read(self, conversation_id: str, user_id: str, seq: int) -> tuple[Member, bool] | None:
        return await self.db.write(lambda c: writes.advance_read(c, conversation_id, user_id, seq))
