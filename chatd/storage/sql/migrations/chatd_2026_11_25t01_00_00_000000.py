"""Initial schema: users, auth, contacts, conversations, messages, events.

Written as SQL that runs on both SQLite and PostgreSQL; the few differences
(autoincrement keys, full-text search) are chosen by engine. Times are
integer epoch milliseconds and JSON is stored as TEXT, so the adapter code
is the same on both engines.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"

COMMON_HEAD = [
    """CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        avatar TEXT,
        bio TEXT NOT NULL DEFAULT '',
        status_text TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT 'member',
        disabled BOOLEAN NOT NULL DEFAULT FALSE,
        password_hash TEXT NOT NULL,
        preferences TEXT NOT NULL DEFAULT '{}',
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        last_seen_at BIGINT,
        version INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE device_keys (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        device_id TEXT NOT NULL,
        x25519 TEXT NOT NULL,
        ed25519 TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (user_id, device_id)
    )""",
    # Browser sessions and personal API tokens; only a hash of the token is kept.
    """CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        created_at BIGINT NOT NULL,
        last_used_at BIGINT NOT NULL,
        expires_at BIGINT
    )""",
    "CREATE INDEX sessions_user ON sessions (user_id)",
    """CREATE TABLE invites (
        id TEXT PRIMARY KEY,
        code_hash TEXT NOT NULL UNIQUE,
        created_by TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        max_uses INTEGER NOT NULL,
        uses INTEGER NOT NULL DEFAULT 0,
        expires_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL
    )""",
    """CREATE TABLE contacts (
        owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        status TEXT NOT NULL,
        alias TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (owner_id, user_id)
    )""",
    # direct_key ("<smaller id>:<larger id>") makes a direct conversation unique per pair.
    """CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        direct_key TEXT UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        topic TEXT NOT NULL DEFAULT '',
        avatar TEXT,
        created_by TEXT NOT NULL REFERENCES users(id),
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        last_message_at BIGINT,
        last_seq BIGINT NOT NULL DEFAULT 0,
        e2ee BOOLEAN NOT NULL DEFAULT FALSE,
        version INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE members (
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role TEXT NOT NULL DEFAULT 'member',
        joined_at BIGINT NOT NULL,
        last_read_seq BIGINT NOT NULL DEFAULT 0,
        muted BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (conversation_id, user_id)
    )""",
    "CREATE INDEX members_user ON members (user_id)",
]

# The messages table differs per engine (SQLITE_FIRST / POSTGRES_FIRST) and
# comes between these two lists.
COMMON = [
    "CREATE UNIQUE INDEX messages_conversation_seq ON messages (conversation_id, seq)",
    # Idempotency: a retried send with the same client_id finds the first message.
    "CREATE UNIQUE INDEX messages_sender_client ON messages (sender_id, client_id)",
    """CREATE TABLE reactions (
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        emoji TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (message_id, emoji, user_id)
    )""",
    """CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        uploader_id TEXT NOT NULL REFERENCES users(id),
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        message_id TEXT,
        filename TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size BIGINT NOT NULL,
        sha256 TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        duration DOUBLE PRECISION,
        thumbnail BOOLEAN NOT NULL DEFAULT FALSE,
        encrypted BOOLEAN NOT NULL DEFAULT FALSE,
        storage_key TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )""",
    "CREATE INDEX attachments_conversation ON attachments (conversation_id)",
]

MESSAGE_COLUMNS = """
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        sender_id TEXT NOT NULL REFERENCES users(id),
        client_id TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'text',
        body TEXT,
        envelope TEXT,
        reply_to TEXT,
        attachments TEXT NOT NULL DEFAULT '[]',
        mentions TEXT NOT NULL DEFAULT '[]',
        reactions TEXT NOT NULL DEFAULT '{}',
        created_at BIGINT NOT NULL,
        edited_at BIGINT,
        deleted_at BIGINT,
        version INTEGER NOT NULL DEFAULT 1"""

# row_id aliases SQLite's rowid, so VACUUM cannot renumber the rows the
# full-text index (external content) points at.
SQLITE_FIRST = [f"CREATE TABLE messages (row_id INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, {MESSAGE_COLUMNS})"]
POSTGRES_FIRST = [f"CREATE TABLE messages (id TEXT PRIMARY KEY, {MESSAGE_COLUMNS})"]

SQLITE = [
    # AUTOINCREMENT: a seq is never reused, even after the newest events are pruned.
    """CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        type TEXT NOT NULL,
        conversation_id TEXT,
        user_id TEXT,
        payload TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )""",
    "CREATE INDEX events_conversation ON events (conversation_id, seq)",
    "CREATE INDEX events_user ON events (user_id, seq)",
    """CREATE VIRTUAL TABLE messages_fts USING fts5(
        body, content='messages', content_rowid='row_id', tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, body) VALUES (new.row_id, new.body);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.row_id, old.body);
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.row_id, old.body);
        INSERT INTO messages_fts (rowid, body) VALUES (new.row_id, new.body);
    END""",
]

POSTGRES = [
    """CREATE TABLE events (
        seq BIGSERIAL PRIMARY KEY,
        type TEXT NOT NULL,
        conversation_id TEXT,
        user_id TEXT,
        payload TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )""",
    "CREATE INDEX events_conversation ON events (conversation_id, seq)",
    "CREATE INDEX events_user ON events (user_id, seq)",
    """ALTER TABLE messages ADD COLUMN search tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', coalesce(body, ''))) STORED""",
    "CREATE INDEX messages_search ON messages USING GIN (search)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="chatd", description=DESCRIPTION)

    async def create_schema():
        engine = engine_finder()
        sqlite = engine.engine_type == "sqlite"
        first, extra = (SQLITE_FIRST, SQLITE) if sqlite else (POSTGRES_FIRST, POSTGRES)
        for statement in COMMON_HEAD + first + COMMON + extra:
            await engine.run_ddl(statement)

    manager.add_raw(create_schema)
    return manager
