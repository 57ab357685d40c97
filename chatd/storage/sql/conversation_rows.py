"""Conversation and member rows: column lists, mapping to domain types and
the reads both the store and its writes use."""

from __future__ import annotations

from chatd.clock import from_ms
from chatd.domain import Conversation, Member
from chatd.storage.sql.db import Conn, Row

CONVERSATION_FIELDS = [
    "id", "kind", "title", "topic", "avatar", "created_by", "created_at", "updated_at",
    "last_message_at", "last_seq", "e2ee", "version",
]  # fmt: skip
MEMBER_FIELDS = ["conversation_id", "user_id", "role", "joined_at", "last_read_seq", "muted"]
CONVERSATION_COLUMNS = ", ".join(CONVERSATION_FIELDS)
MEMBER_COLUMNS = ", ".join(MEMBER_FIELDS)
# The two column sets share no name, so one joined row maps to both.
JOINED_COLUMNS = ", ".join([f"c.{f}" for f in CONVERSATION_FIELDS] + [f"m.{f}" for f in MEMBER_FIELDS])
# Longest-standing first; ties (members added together) broken by user id, so
# "who inherits ownership" is the same answer on every engine.
MEMBER_ORDER = "ORDER BY joined_at, user_id"


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


def placeholders(count: int, start: int = 1) -> str:
    """`$start, ..., $(start+count-1)` for an IN list (same SQL on both engines)."""
    return ", ".join(f"${i}" for i in range(start, start + count))


async def fetch_conversation(conn: Conn, conversation_id: str, *, lock: bool = False) -> Conversation | None:
    # FOR UPDATE (PostgreSQL) orders concurrent writers of one conversation;
    # SQLite has a single writer already.
    suffix = " FOR UPDATE" if lock and conn.dialect == "postgres" else ""
    row = await conn.fetchrow(
        f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1{suffix}", conversation_id
    )
    return conversation_of(row) if row else None


async def fetch_member(conn: Conn, conversation_id: str, user_id: str) -> Member | None:
    row = await conn.fetchrow(
        f"SELECT {MEMBER_COLUMNS} FROM members WHERE conversation_id = $1 AND user_id = $2",
        conversation_id,
        user_id,
    )
    return member_of(row) if row else None


async def fetch_members(conn: Conn, conversation_id: str) -> list[Member]:
    rows = await conn.fetch(
        f"SELECT {MEMBER_COLUMNS} FROM members WHERE conversation_id = $1 {MEMBER_ORDER}", conversation_id
    )
    return [member_of(r) for r in rows]
