"""Full-text search over messages: SQLite FTS5, PostgreSQL tsvector.

The user's text is never query syntax. On SQLite every whitespace-separated
chunk becomes a quoted FTS5 phrase (`"a-b"` = the tokens a, b in a row, the
way the index tokenized the body), so `*`, `NEAR`, `-`, `(`, `"` mean nothing;
the phrases are ANDed. PostgreSQL's plainto_tsquery never parses operators.
"""

from __future__ import annotations

from chatd.domain import Message
from chatd.storage.sql.db import Conn
from chatd.storage.sql.message_rows import MESSAGE_COLUMNS, message_of

MAX_TERMS = 16

# Only what the caller may read now: live, non-encrypted messages of
# conversations they are a member of.
_VISIBLE = (
    " AND deleted_at IS NULL AND kind <> 'encrypted'"
    " AND conversation_id IN (SELECT conversation_id FROM members WHERE user_id = $2)"
)


def fts5_query(text: str) -> str | None:
    """`text` as ANDed FTS5 phrases, or None when it holds nothing searchable."""
    chunks = [c for c in text.split() if any(ch.isalnum() for ch in c)][:MAX_TERMS]
    if not chunks:
        return None
    return " ".join('"' + c.replace('"', '""') + '"' for c in chunks)


async def search(
    conn: Conn, user_id: str, query: str, *, conversation_id: str | None, limit: int
) -> list[Message]:
    if conn.dialect == "sqlite":
        match = fts5_query(query)
        where = "row_id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH $1)"
    else:
        match = query if any(ch.isalnum() for ch in query) else None
        where = "search @@ plainto_tsquery('simple', $1)"
    if match is None:
        return []
    args: list[object] = [match, user_id, limit]
    if conversation_id is not None:
        where += " AND conversation_id = $4"
        args.append(conversation_id)
    rows = await conn.fetch(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE {where}{_VISIBLE} ORDER BY created_at DESC, seq DESC LIMIT $3",
        *args,
    )
    return [message_of(r) for r in rows]
