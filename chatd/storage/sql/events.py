"""The sync log in SQL: appended inside the same transaction as the change it
records, read back per user by `SqlEventStore`."""

from __future__ import annotations

from typing import Any

import msgspec

from chatd import clock
from chatd.domain import Event
from chatd.storage.ports.events import EventNote
from chatd.storage.sql.db import Conn, Database

# PostgreSQL hands out BIGSERIAL values at insert time but transactions may
# commit in another order; a reader could then skip a seq that commits later.
# This lock (held to commit) makes event inserts, and so commits, go in seq order.
EVENT_LOCK = 0x63686174  # "chat"


async def append_event(
    conn: Conn,
    type: str,
    payload: Any,
    *,
    conversation_id: str | None = None,
    user_id: str | None = None,
) -> Event:
    """Record one event. `user_id` set = a per-user event only that user sees;
    otherwise every current member of `conversation_id` sees it."""
    if conn.dialect == "postgres":
        await conn.execute("SELECT pg_advisory_xact_lock($1)", EVENT_LOCK)
    body = msgspec.to_builtins(payload)
    at = clock.now()
    seq = await conn.fetchval(
        "INSERT INTO events (type, conversation_id, user_id, payload, created_at)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING seq",
        type,
        conversation_id,
        user_id,
        msgspec.json.encode(body).decode(),
        clock.to_ms(at),
    )
    event = Event(seq=seq, type=type, conversation_id=conversation_id, payload=body, created_at=at)
    conn.new_events.append(EventNote(event=event, user_id=user_id))
    return event


class SqlEventStore:
    def __init__(self, db: Database):
        self.db = db
