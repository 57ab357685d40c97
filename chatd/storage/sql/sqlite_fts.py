"""SQLite: put the messages a transaction added into the search index, just
before it commits.

Runs in the commit thread (sqlite3 releases the GIL while it works), in the
same transaction as the messages, so search sees a message exactly when it
is committed. Why not an INSERT trigger, and what the watermark means: see
migration 2026-11-25T02 (messages_fts_indexed).
"""

from __future__ import annotations

import sqlite3

_INDEX_NEW = (
    "INSERT INTO messages_fts (rowid, body) SELECT row_id, body FROM messages"
    " WHERE row_id > (SELECT last_row_id FROM messages_fts_indexed)"
)
_ADVANCE = "UPDATE messages_fts_indexed SET last_row_id = (SELECT max(row_id) FROM messages)"


def index_new_messages(raw: sqlite3.Connection) -> None:
    if raw.execute(_INDEX_NEW).rowcount > 0:
        raw.execute(_ADVANCE)
