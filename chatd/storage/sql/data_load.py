"""The writes `chatd migrate-data` makes on a SQL target beyond plain row
inserts (data_move.py): the schema's migration records, the event log's
head, emptying it (--overwrite-target), and the marker of an unfinished copy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chatd import clock
from chatd.storage.ports.data_move import Row
from chatd.storage.sql.db import Conn

# Children before parents (foreign keys) when emptying a target.
WIPE_ORDER = ("reactions", "attachments", "messages", "members", "conversations", "contacts", "invites", "sessions",
              "device_keys", "key_backups", "recovery_codes", "totp_factors", "webauthn_credentials", "security_events",
              "sign_in_places", "feature_flags", "server_settings", "events", "users")
MARKER_TABLE = ("CREATE TABLE IF NOT EXISTS chatd_data_move (id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
                " started_at BIGINT NOT NULL)")


async def load_migrations(c: Conn, rows: list[Row]) -> None:
    """The source's records over the ones migrating the target just wrote."""
    for r in rows:
        when: Any = r["ran_on"] if c.dialect == "sqlite" else datetime.fromisoformat(r["ran_on"])
        if not await c.execute("UPDATE migration SET ran_on = $1 WHERE app_name = $2 AND name = $3",
                               when, r["app_name"], r["name"]):
            await c.execute("INSERT INTO migration (app_name, name, ran_on) VALUES ($1, $2, $3)",
                            r["app_name"], r["name"], when)


async def set_head(c: Conn, seq: int) -> None:
    """The last seq ever handed out: the next event gets seq + 1, never a reused one."""
    if c.dialect == "sqlite":
        await c.execute("DELETE FROM sqlite_sequence WHERE name = 'events'")
        if seq:
            await c.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('events', $1)", seq)
    else:
        await c.execute("SELECT setval(pg_get_serial_sequence('events', 'seq'), $1, $2)", max(seq, 1), seq > 0)


async def empty(c: Conn) -> None:
    if c.dialect == "postgres":
        await c.execute(f"TRUNCATE {', '.join(WIPE_ORDER)} RESTART IDENTITY CASCADE")
        return
    for name in WIPE_ORDER:
        await c.execute(f"DELETE FROM {name}")
    await c.execute("DELETE FROM sqlite_sequence WHERE name = 'events'")
    # The search index and its watermark (sqlite_fts.py) start over with the rows.
    await c.execute("INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')")
    await c.execute("UPDATE messages_fts_indexed SET last_row_id = 0")


async def mark(c: Conn, source: str) -> None:
    await c.execute(MARKER_TABLE)
    await c.execute("DELETE FROM chatd_data_move")
    await c.execute("INSERT INTO chatd_data_move (id, source, started_at) VALUES (1, $1, $2)",
                    source, clock.to_ms(clock.now()))
