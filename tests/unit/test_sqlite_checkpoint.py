"""WAL checkpoints happen in the background, not inside a commit."""

import asyncio
import shutil
import sqlite3
import threading

from chatd.storage.sql import sqlite_checkpoint
from chatd.storage.sql.sqlite import SqliteDatabase


async def open_db(tmp_path, sqlite_template) -> SqliteDatabase:
    """A started database on a copy of the migrated template."""
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    db = SqliteDatabase(f"sqlite:///{tmp_path}/chatd.db")
    await db.start()
    return db


async def test_commits_leave_the_wal_and_the_checkpointer_empties_it(tmp_path, sqlite_template, monkeypatch):
    monkeypatch.setattr(sqlite_checkpoint, "INTERVAL", 3600)  # rounds run when this test says
    db = await open_db(tmp_path, sqlite_template)
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
        await db._checkpointer.checkpoint()
        # ...until a checkpoint round copied the pages over.
        assert main_file.stat().st_size > before
        assert await db.read(lambda c: c.fetchval("SELECT count(*) FROM users")) == 2000
    finally:
        await db.close()


async def test_the_wal_starts_over_under_writes_that_never_pause(tmp_path, sqlite_template, monkeypatch):
    """Background rounds alone never finish while the writer keeps appending:
    the commit thread catches up, so the WAL file stops growing."""
    monkeypatch.setattr(sqlite_checkpoint, "INTERVAL", 0.02)
    monkeypatch.setattr(sqlite_checkpoint, "CATCH_UP_FRAMES", 100)
    db = await open_db(tmp_path, sqlite_template)
    written = 0
    try:
        async def insert(c, i):
            await c.execute(
                "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)"
                " VALUES ($1, $2, $3, $4, 0, 0)", f"id{i}", f"user{i}", "x" * 2000, "h" * 2000)

        loop = asyncio.get_running_loop()
        until = loop.time() + 1.0

        async def keep_writing(worker: int) -> None:
            nonlocal written
            n = 0
            while loop.time() < until:
                await db.write(lambda c, i=f"{worker}-{n}": insert(c, i))
                written, n = written + 1, n + 1

        # 50 writers: whenever a batch ends the next is already queued, so the
        # writer never pauses and a background round never finishes alone.
        await asyncio.gather(*(keep_writing(w) for w in range(50)))
        wal = (tmp_path / "chatd.db-wal").stat().st_size
        # Each row is a page or more of its own: without the catch-up the WAL
        # holds every one of them; with it, it restarts many times.
        assert wal < written * 4096 / 4, (wal, written)
        assert await db.read(lambda c: c.fetchval("SELECT count(*) FROM users")) == written
    finally:
        await db.close()


async def test_the_wal_keeps_its_size_under_writes_and_is_cut_once_they_pause(tmp_path, sqlite_template, monkeypatch):
    monkeypatch.setattr(sqlite_checkpoint, "INTERVAL", 3600)  # rounds run when this test says
    monkeypatch.setattr(sqlite_checkpoint, "IDLE_WAL_BYTES", 64 * 1024)
    db = await open_db(tmp_path, sqlite_template)
    wal = tmp_path / "chatd.db-wal"
    try:
        # No limit: SQLite must not cut the file back when the WAL starts over.
        assert await db.write(lambda c: c.fetchval("PRAGMA journal_size_limit")) == -1

        async def insert(c, i):
            await c.execute(
                "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)"
                " VALUES ($1, $2, $3, $4, 0, 0)", f"id{i}", f"user{i}", "x" * 2000, "h" * 2000)

        await asyncio.gather(*(db.write(lambda c, i=i: insert(c, i)) for i in range(100)))
        full = wal.stat().st_size
        assert full > 64 * 1024
        await db._checkpointer.checkpoint()  # copies everything; writes happened: not idle
        await db.write(lambda c: insert(c, "after"))  # starts the WAL over, at the top
        await db._checkpointer.checkpoint()  # a write since the last round: still not idle
        assert wal.stat().st_size == full
        await db._checkpointer.checkpoint()  # a whole round without writes: the writer cuts it
        await wait_for(lambda: wal.stat().st_size == 0)
        assert await db.read(lambda c: c.fetchval("SELECT count(*) FROM users WHERE id LIKE 'id%'")) == 101
    finally:
        await db.close()


def held(step):
    """`step` (run in the commit thread) made to wait until released: the
    returned `started` says it began, `release` lets it go on."""
    started, release = threading.Event(), threading.Event()

    def wrapper(writer):
        started.set()
        release.wait(5)
        step(writer)

    return wrapper, started, release


async def test_a_catch_up_delays_the_next_batch_not_the_one_just_committed(tmp_path, sqlite_template):
    db = await open_db(tmp_path, sqlite_template)
    checkpointer = db._checkpointer
    checkpointer.catch_up, started, release = held(checkpointer.catch_up)
    try:
        checkpointer.catch_up_due = True
        # Answered although the catch-up after its COMMIT has not finished.
        assert await asyncio.wait_for(db.write(lambda c: c.fetchval("SELECT 1")), 2) == 1
        assert await asyncio.to_thread(started.wait, 2)
        # The writer itself waits: the catch-up must see no new frames.
        second = asyncio.ensure_future(db.write(lambda c: c.fetchval("SELECT 2")))
        await asyncio.sleep(0.1)
        assert not second.done()
        release.set()
        assert await asyncio.wait_for(second, 2) == 2
        assert checkpointer.catch_up_due is False
    finally:
        release.set()
        await db.close()


async def wait_for(condition, timeout=2.0):
    loop = asyncio.get_running_loop()
    until = loop.time() + timeout
    while not condition():
        assert loop.time() < until, "condition not reached"
        await asyncio.sleep(0.01)


async def test_a_write_during_the_cut_waits_in_the_queue_and_is_kept(tmp_path, sqlite_template, monkeypatch):
    monkeypatch.setattr(sqlite_checkpoint, "INTERVAL", 3600)
    monkeypatch.setattr(sqlite_checkpoint, "IDLE_WAL_BYTES", 0)
    db = await open_db(tmp_path, sqlite_template)
    checkpointer = db._checkpointer
    checkpointer.truncate, started, release = held(checkpointer.truncate)
    try:
        await db.write(lambda c: c.execute(
            "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)"
            " VALUES ('early', 'early', 'Early', 'h', 0, 0)"))
        await checkpointer.checkpoint()
        await checkpointer.checkpoint()  # idle: asks the writer to cut the WAL
        assert await asyncio.to_thread(started.wait, 2)
        write = asyncio.ensure_future(db.write(lambda c: c.execute(
            "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)"
            " VALUES ('late', 'late', 'Late', 'h', 0, 0)")))
        await asyncio.sleep(0.1)  # the loop runs on (this sleep returns) ...
        assert not write.done()  # ... while the write waits for the cut
        release.set()
        await asyncio.wait_for(write, 2)
        assert await db.read(lambda c: c.fetchval("SELECT count(*) FROM users WHERE id = 'late'")) == 1
        assert checkpointer.truncate_due is False
    finally:
        release.set()
        await db.close()


async def test_a_commit_after_the_idle_round_cancels_the_cut(tmp_path, sqlite_template, monkeypatch):
    monkeypatch.setattr(sqlite_checkpoint, "INTERVAL", 3600)
    db = await open_db(tmp_path, sqlite_template)
    try:
        db._checkpointer.truncate_due = True
        await db.write(lambda c: c.execute("UPDATE users SET display_name = 'x' WHERE 0"))
        assert db._checkpointer.truncate_due is False
    finally:
        await db.close()


class BrokenWriter:
    """The writer's connection at the moment its catch-up checkpoint fails
    (an I/O error, say): the COMMIT before it already succeeded."""

    def execute(self, sql):
        raise sqlite3.OperationalError("disk I/O error")


async def test_a_failed_catch_up_is_logged_and_never_reaches_the_committed_batch(tmp_path, sqlite_template, caplog):
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    checkpointer = sqlite_checkpoint.Checkpointer(tmp_path / "chatd.db")
    try:
        checkpointer.catch_up_due = True
        checkpointer.catch_up(BrokenWriter())  # must not raise
        assert "catch-up checkpoint failed" in caplog.text
        assert checkpointer.catch_up_due is False  # the next round decides again
        checkpointer.truncate_due = True
        checkpointer.truncate(BrokenWriter())  # must not raise either
        assert "WAL truncation failed" in caplog.text
        assert checkpointer.truncate_due is False
    finally:
        await checkpointer.close()
