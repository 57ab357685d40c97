"""Conversations in SQL: removing a group nobody is in (port: drop_if_empty).

`SqlConversationStore` inherits this; split out to keep files short.
"""

from __future__ import annotations

from chatd.storage.sql.conversation_rows import fetch_conversation
from chatd.storage.sql.db import Conn, Database

# Messages go by their own statement, not the cascade, so SQLite's delete
# trigger takes them out of the search index; reactions cascade from them.
DROPPED = (
    "DELETE FROM attachments WHERE conversation_id = $1",
    "DELETE FROM messages WHERE conversation_id = $1",
    "DELETE FROM conversations WHERE id = $1",
)


class SqlConversationDrop:
    db: Database

    async def drop_if_empty(self, conversation_id: str) -> bool:
        async def run(c: Conn) -> bool:
            conv = await fetch_conversation(c, conversation_id, lock=True)  # as change_members locks it
            if conv is None or conv.kind != "group":
                return False
            if await c.fetchval("SELECT 1 FROM members WHERE conversation_id = $1 LIMIT 1", conversation_id):
                return False
            for statement in DROPPED:
                await c.execute(statement, conversation_id)
            return True

        return await self.db.write(run)
