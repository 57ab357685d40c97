"""Messages in SQL: history, edits, tombstones and reads; the send hot path
is in message_append.py (PostgreSQL: message_batch.py, batched), reactions in reactions.py, search in message_search.py.
Every change locks the message row first (the UPDATE itself, or SELECT ...
FOR UPDATE) and records its event in the same write."""

from __future__ import annotations

from datetime import datetime

from chatd import clock
from chatd.domain import Envelope, Message
from chatd.storage.ports.messages import Draft, HistoryPage, StaleVersion
from chatd.storage.sql import message_append, message_batch, message_page, message_search, reactions
from chatd.storage.sql.db import Conn, Database
from chatd.storage.sql.events import append_event
from chatd.storage.sql.message_json_kept import KeptMessageJson
from chatd.storage.sql.message_page import NO_BOUND
from chatd.storage.sql.message_rows import MESSAGE_COLUMNS, dump_envelope, fetch_message, message_of, placeholders

# SQLite allows 32766 bound parameters; stay far below in IN lists.
_CHUNK = 500


class SqlMessageStore:
    def __init__(self, db: Database):
        self.db = db
        self.kept = KeptMessageJson()  # messages' JSON from one history page for the next

    async def append(self, draft: Draft) -> tuple[Message, bool]:
        if self.db.dialect == "postgres":  # group commit: sends batched in one transaction
            return await self.db.write_grouped(message_batch.append_batch, draft)
        return await message_append.append(self.db, draft)

    async def get(self, message_id: str) -> Message | None:
        return await self.db.read(lambda c: fetch_message(c, message_id))

    async def history(
        self, conversation_id: str, *, before_seq: int | None = None, after_seq: int | None = None, limit: int = 50
    ) -> HistoryPage:
        async def run(conn: Conn) -> HistoryPage:
            if after_seq is not None:
                rows = await conn.fetch(
                    f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $2"
                    " ORDER BY seq LIMIT $3",
                    conversation_id,
                    after_seq,
                    limit + 1,
                )
                items = [message_of(r) for r in rows[:limit]]
            else:
                rows = await conn.fetch(
                    f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq < $2"
                    " ORDER BY seq DESC LIMIT $3",
                    conversation_id,
                    NO_BOUND if before_seq is None else before_seq,
                    limit + 1,
                )
                items = [message_of(r) for r in reversed(rows[:limit])]
            return HistoryPage(items=items, has_more=len(rows) > limit)

        return await self.db.read(run)

    async def history_json(
        self, reader_id: str, conversation_id: str, *, before_seq: int | None = None, after_seq: int | None = None,
        limit: int = 50,
    ) -> bytes | None:
        return await self.db.read(lambda conn: message_page.history_json(
            conn, self.kept, reader_id, conversation_id, before_seq=before_seq, after_seq=after_seq, limit=limit))

    async def edit(
        self, message_id: str, *, expected_version: int, at: datetime, body: str | None = None,
        envelope: Envelope | None = None,
    ) -> Message:
        async def run(conn: Conn) -> Message:
            row = await conn.fetchrow(
                "UPDATE messages SET body = $1, envelope = $2, edited_at = $3, version = version + 1"
                f" WHERE id = $4 AND version = $5 AND deleted_at IS NULL RETURNING {MESSAGE_COLUMNS}",
                body,
                dump_envelope(envelope),
                clock.to_ms(at),
                message_id,
                expected_version,
            )
            if row is None:
                raise StaleVersion(await fetch_message(conn, message_id))
            message = message_of(row)
            await append_event(conn, "message.updated", message, conversation_id=message.conversation_id)
            return message

        return await self.db.write(run)

    async def delete(self, message_id: str, *, at: datetime) -> Message | None:
        async def run(conn: Conn) -> Message | None:
            row = await conn.fetchrow(
                "UPDATE messages SET body = NULL, envelope = NULL, attachments = '[]', mentions = '[]',"
                " reactions = '{}', deleted_at = $1, version = version + 1"
                f" WHERE id = $2 AND deleted_at IS NULL RETURNING {MESSAGE_COLUMNS}",
                clock.to_ms(at),
                message_id,
            )
            if row is None:  # already a tombstone (or no such message): nothing changes
                return await fetch_message(conn, message_id)
            await conn.execute("DELETE FROM reactions WHERE message_id = $1", message_id)
            message = message_of(row)
            await append_event(conn, "message.deleted", message, conversation_id=message.conversation_id)
            return message

        return await self.db.write(run)

    async def react(
        self, message_id: str, *, user_id: str, emoji: str, add: bool, max_distinct: int
    ) -> Message | None:
        return await self.db.write(
            lambda c: reactions.react(c, message_id, user_id=user_id, emoji=emoji, add=add, max_distinct=max_distinct)
        )

    async def latest_in(self, conversation_ids: list[str]) -> dict[str, Message]:
        async def run(conn: Conn) -> dict[str, Message]:
            out: dict[str, Message] = {}
            ids = list(dict.fromkeys(conversation_ids))
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                rows = await conn.fetch(
                    f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE (conversation_id, seq) IN"
                    f" (SELECT id, last_seq FROM conversations WHERE id IN ({placeholders(1, len(chunk))}))",
                    *chunk,
                )
                out.update((r["conversation_id"], message_of(r)) for r in rows)
            return out

        return await self.db.read(run) if conversation_ids else {}

    async def search(
        self, user_id: str, query: str, *, conversation_id: str | None = None, limit: int = 20
    ) -> list[Message]:
        return await self.db.read(
            lambda c: message_search.search(c, user_id, query, conversation_id=conversation_id, limit=limit)
        )
