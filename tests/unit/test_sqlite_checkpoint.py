"""WAL checkpoints happen in the background, not inside a commit."""

import asyncio
import shutil

from chatd.storage.sql import sqlite_checkpoint
from chatd.storage.sql.sqlite import SqliteDatabase


async def test_commits_leave_the_wal_and_the_checkpointer_empties_it(tmp_path, sqlite_template, monkeypatch):
    monkeypatch.setattr(sqlite_checkpoint, "INTERVAL", 0.05)
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    db = SqliteDatabase(f"sqlite:///{tmp_path}/chatd.db")
    await db.start()
    try:
        main_file = tmp_path / "chatd.db"
        assert await db.write(lambda c: c.fetchval("PRAGMA wal_autocheckpoint")) == 0
        before = main_file.stat().st_size

        async def insert(c, i):
            await c.execute(
                "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)"
                " VALUES ($1, $2, $3, $4, 0, 0)", f"id{i}", f"user{i}", "x" * 500, "h" * 500)

        await asyncio.gather(*(db.write(lambda c, i=i: insert(c, i)) for i in range(2000)))
        # Committed to the WAL only: the main file has not grown yet...
        assert main_file.stat().st_size == before
        for _ in range(100):
            await asyncio.sleep(0.05)
            if main_file.stat().st_size > before:
                break
        # ...until the background checkpoint copied the pages over.
        assert main_file.stat().st_size > before
        assert await db.read(lambda c: c.fetchval("SELECT count(*) FROM users")) == 2000
    finally:
        await db.close()
