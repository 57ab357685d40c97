"""Conversation and membership writes: each function is one `Database.write`
fn, changes rows and appends the matching sync events in the same step."""

from __future__ import annotations

import msgspec

from chatd.clock import to_ms
from chatd.domain import Conversation, Member
from chatd.storage.ports.conversations import DecideMembers, DecideUpdate, MemberPlan, direct_key, effective
from chatd.storage.sql.conversation_rows import (
    CONVERSATION_COLUMNS,
    fetch_conversation,
    fetch_member,
    fetch_members,
)
from chatd.storage.sql.db import Conn
from chatd.storage.sql.events import append_event

INSERT_MEMBER = (
    "INSERT INTO members (conversation_id, user_id, role, joined_at, last_read_seq, muted)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
)


async def _insert_conversation(conn: Conn, conv: Conversation, key: str | None) -> bool:
    """False when the direct pair already has a conversation (nothing inserted)."""
    row = await conn.fetchrow(
        f"INSERT INTO conversations ({CONVERSATION_COLUMNS}, direct_key)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        " ON CONFLICT (direct_key) DO NOTHING RETURNING id",
        conv.id,
        conv.kind,
        conv.title,
        conv.topic,
        conv.avatar,
        conv.created_by,
        to_ms(conv.created_at),
        to_ms(conv.updated_at),
        to_ms(conv.last_message_at),
        conv.last_seq,
        conv.e2ee,
        conv.version,
        key,
    )
    return row is not None


async def _add_members(conn: Conn, members: list[Member]) -> None:
    for m in members:
        await conn.execute(
            INSERT_MEMBER, m.conversation_id, m.user_id, m.role, to_ms(m.joined_at), m.last_read_seq, m.muted
        )
        await append_event(conn, "member.joined", m, conversation_id=m.conversation_id)


async def _created(conn: Conn, conv: Conversation, members: list[Member]) -> None:
    await append_event(conn, "conversation.created", conv, conversation_id=conv.id)
    await _add_members(conn, members)


async def create_direct(conn: Conn, conv: Conversation, members: list[Member]) -> tuple[Conversation, bool]:
    key = direct_key(members)
    # ON CONFLICT DO NOTHING: a concurrent create of the same pair waits for the
    # first one to commit (PostgreSQL) or runs after it (SQLite), then finds it.
    if not await _insert_conversation(conn, conv, key):
        existing = await conn.fetchval("SELECT id FROM conversations WHERE direct_key = $1", key)
        found = await fetch_conversation(conn, existing)
        if found is None:
            raise LookupError(f"direct conversation {key} vanished")
        return found, False
    await _created(conn, conv, members)
    return conv, True


async def create_group(conn: Conn, conv: Conversation, members: list[Member]) -> Conversation:
    await _insert_conversation(conn, conv, None)
    await _created(conn, conv, members)
    return conv


async def update(conn: Conn, conversation_id: str, decide: DecideUpdate) -> Conversation:
    conv = await fetch_conversation(conn, conversation_id, lock=True)
    members = await fetch_members(conn, conversation_id) if conv else []
    wanted = decide(conv, members)
    if conv is None:
        raise LookupError("decide must refuse a missing conversation")
    # Only the editable fields; seq and activity belong to the message writers.
    new = msgspec.structs.replace(
        conv,
        title=wanted.title,
        topic=wanted.topic,
        avatar=wanted.avatar,
        e2ee=wanted.e2ee,
        updated_at=wanted.updated_at,
        version=wanted.version,
    )
    if new == conv:
        return conv
    await conn.execute(
        "UPDATE conversations SET title = $2, topic = $3, avatar = $4, e2ee = $5, updated_at = $6, version = $7"
        " WHERE id = $1",
        conversation_id,
        new.title,
        new.topic,
        new.avatar,
        new.e2ee,
        to_ms(new.updated_at),
        new.version,
    )
    await append_event(conn, "conversation.updated", new, conversation_id=conversation_id)
    return new


async def change_members(conn: Conn, conversation_id: str, decide: DecideMembers) -> MemberPlan:
    conv = await fetch_conversation(conn, conversation_id, lock=True)
    members = await fetch_members(conn, conversation_id) if conv else []
    plan = decide(conv, members)
    if conv is None:
        raise LookupError("decide must refuse a missing conversation")
    changes = effective(conversation_id, members, plan)
    await _add_members(conn, changes.add)
    for old in changes.remove:
        await conn.execute("DELETE FROM members WHERE conversation_id = $1 AND user_id = $2", conversation_id,
                           old.user_id)
        # Remaining members learn it from the conversation-wide event; the one
        # who left can no longer see those, so they get their own copy.
        await append_event(conn, "member.left", old, conversation_id=conversation_id)
        await append_event(conn, "member.left", old, conversation_id=conversation_id, user_id=old.user_id)
    for new in changes.update:
        await conn.execute(
            "UPDATE members SET role = $3, muted = $4 WHERE conversation_id = $1 AND user_id = $2",
            conversation_id,
            new.user_id,
            new.role,
            new.muted,
        )
        await append_event(conn, "member.updated", new, conversation_id=conversation_id)
    return changes.as_plan()


async def advance_read(conn: Conn, conversation_id: str, user_id: str, seq: int) -> tuple[Member, bool] | None:
    last_seq = await conn.fetchval("SELECT last_seq FROM conversations WHERE id = $1", conversation_id)
    if last_seq is None:
        return None
    target = min(seq, last_seq)
    # The `<` guard makes it forward-only even against a concurrent, larger mark.
    moved = await conn.execute(
        "UPDATE members SET last_read_seq = $3 WHERE conversation_id = $1 AND user_id = $2 AND last_read_seq < $3",
        conversation_id,
        user_id,
        target,
    )
    member = await fetch_member(conn, conversation_id, user_id)
    if member is None:
        return None
    if moved:
        payload = {"conversation_id": conversation_id, "user_id": user_id, "last_read_seq": member.last_read_seq}
        await append_event(conn, "read.updated", payload, conversation_id=conversation_id)
    return member, bool(moved)
