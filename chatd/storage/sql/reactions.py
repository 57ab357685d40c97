"""Reactions in SQL: `messages.reactions` ({emoji: [user ids]}, what readers
get) and the `reactions` rows (who reacted with what, per user) change together
under the message's row lock."""

from __future__ import annotations

from chatd import clock
from chatd.domain import Message
from chatd.storage.ports.messages import MessageDeleted, TooManyReactions
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
    if message.deleted_at is not None:
        raise MessageDeleted(message)
    users = message.reactions.get(emoji, [])
    reactions = dict(message.reactions)
    if add:
        if user_id in users:
            return message  # idempotent: already there, nothing changes
        if emoji not in reactions and len(reactions) >= max_distinct:
            raise TooManyReactions()
        reactions[emoji] = [*users, user_id]
        await conn.execute(
            "INSERT INTO reactions (message_id, emoji, user_id, created_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT DO NOTHING",
            message_id,
            emoji,
            user_id,
            clock.to_ms(clock.now()),
        )
    else:
        if user_id not in users:
            return message
        rest = [u for u in users if u != user_id]
        if rest:
            reactions[emoji] = rest
        else:
            del reactions[emoji]
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
