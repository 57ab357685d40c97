"""Conversations and members in SQL."""

from __future__ import annotations

from chatd.clock import from_ms
from chatd.domain import Conversation, Member
from chatd.storage.sql.db import Conn, Database, Row

CONVERSATION_COLUMNS = (
    "id, kind, title, topic, avatar, created_by, created_at, updated_at,"
    " last_message_at, last_seq, e2ee, version"
)
MEMBER_COLUMNS = "conversation_id, user_id, role, joined_at, last_read_seq, muted"


def conversation_of(row: Row) -> Conversation:
    return Conversation(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        topic=row["topic"],
        avatar=row["avatar"],
        created_by=row["created_by"],
        created_at=from_ms(row["created_at"]),
        updated_at=from_ms(row["updated_at"]),
        last_message_at=from_ms(row["last_message_at"]),
        last_seq=row["last_seq"],
        e2ee=bool(row["e2ee"]),
        version=row["version"],
    )


def member_of(row: Row) -> Member:
    return Member(
        conversation_id=row["conversation_id"],
        user_id=row["user_id"],
        role=row["role"],
        joined_at=from_ms(row["joined_at"]),
        last_read_seq=row["last_read_seq"],
        muted=bool(row["muted"]),
    )


async def fetch_conversation(conn: Conn, conversation_id: str) -> Conversation | None:
    row = await conn.fetchrow(f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1", conversation_id)
    return conversation_of(row) if row else None


async def fetch_member(conn: Conn, conversation_id: str, user_id: str) -> Member | None:
    row = await conn.fetchrow(
        f"SELECT {MEMBER_COLUMNS} FROM members WHERE conversation_id = $1 AND user_id = $2",
        conversation_id,
        user_id,
    )
    return member_of(row) if row else None


class SqlConversationStore:
    def __init__(self, db: Database):
        self.db = db

    async def get(self, conversation_id: str) -> Conversation | None:
        return await self.db.read(lambda c: fetch_conversation(c, conversation_id))

    async def member(self, conversation_id: str, user_id: str) -> Member | None:
        return await self.db.read(lambda c: fetch_member(c, conversation_id, user_id))

    async def members(self, conversation_id: str) -> list[Member]:
        async def run(c: Conn) -> list[Member]:
            rows = await c.fetch(
                f"SELECT {MEMBER_COLUMNS} FROM members WHERE conversation_id = $1 ORDER BY joined_at, user_id",
                conversation_id,
            )
            return [member_of(r) for r in rows]

        return await self.db.read(run)
