"""Reactions in SQL: `messages.reactions` ({emoji: [user ids]}, what readers
get) and the `reactions` rows (who reacted with what, per user) change together
under the message's row lock."""

from __future__ import annotations

from chatd import clock
from chatd.domain import Message
from chatd.storage.ports.messages import reacted
from chatd.storage.sql.db import Conn
from chatd.storage.sql.events import append_event
from chatd.storage.sql.message_rows import MESSAGE_COLUMNS, dump, fetch_message, message_of


async def react(
    conn: Conn, message_id: str, *, user_id: str, emoji: str, add: bool, max_distinct: int
) -> Message | None:
    # Lock first: two users reacting at once must both end up in the map.
    message = await fetch_message(conn, message_id, lock=True)
    if message is None:
        return None
    reactions = reacted(message, user_id=user_id, emoji=emoji, add=add, max_distinct=max_distinct)
    if reactions is None:
        return message  # idempotent: nothing changes
    if add:
        await conn.execute(
            "INSERT INTO reactions (message_id, emoji, user_id, created_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT DO NOTHING",
            message_id,
            emoji,
            user_id,
            clock.to_ms(clock.now()),
        )
    else:
        await conn.execute(
            "DELETE FROM reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3", message_id, emoji, user_id
        )
    row = await conn.fetchrow(
        f"UPDATE messages SET reactions = $1, version = version + 1 WHERE id = $2 RETURNING {MESSAGE_COLUMNS}",
        dump(reactions),
        message_id,
    )
    changed = message_of(row)
    await append_event(conn, "reaction.changed", changed, conversation_id=changed.conversation_id)
    return changed
