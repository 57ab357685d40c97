"""SQLite: index new messages for search at commit, not in an INSERT trigger.

The insert trigger ran inside every send's SAVEPOINT, and FTS5 flushes its
pending terms at each savepoint: a new index segment per message, merged
again and again, ~45 us of the ~100 us a send costs on the event loop. New
messages are now indexed in bulk by the commit thread, in the same
transaction (chatd/storage/sql/sqlite_fts.py), so search still sees exactly
what is committed.

`messages_fts_indexed.last_row_id` is the watermark: every existing message
with row_id <= it is in the index, every one above it is not yet. Edits and
deletes of a message above it leave the index alone (the bulk step indexes
its current body). A deleted newest message lowers the watermark, since
SQLite may hand its row_id to the next message. PostgreSQL (a generated
tsvector column) has nothing to change.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index messages for search at commit"

INDEXED = "(SELECT last_row_id FROM messages_fts_indexed)"

SQLITE = [
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_update",
    """CREATE TABLE messages_fts_indexed (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_row_id INTEGER NOT NULL
    )""",
    "INSERT INTO messages_fts_indexed (id, last_row_id) SELECT 1, coalesce(max(row_id), 0) FROM messages",
    f"""CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.row_id <= {INDEXED} BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.row_id, old.body);
        UPDATE messages_fts_indexed
            SET last_row_id = (SELECT coalesce(max(row_id), 0) FROM messages WHERE row_id < old.row_id)
            WHERE last_row_id = old.row_id;
    END""",
    f"""CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages WHEN old.row_id <= {INDEXED} BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.row_id, old.body);
        INSERT INTO messages_fts (rowid, body) VALUES (new.row_id, new.body);
    END""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="chatd", description=DESCRIPTION)

    async def change_schema():
        engine = engine_finder()
        if engine.engine_type == "sqlite":
            for statement in SQLITE:
                await engine.run_ddl(statement)

    manager.add_raw(change_schema)
    return manager
