"""SQLite: one writer connection with group commit, one reader connection.

Writes queue up; the writer runs everything queued in one transaction (each
caller inside its own SAVEPOINT, so one failure undoes only its own part;
rerunnable writes at the head of a batch, sends, go without one and the
batch is run again, guarded, if one of them fails),
commits once in the database's own commit thread (the fsync must not block
the event loop; one long-lived thread rather than the shared pool, whose
threads would each wake for a commit in turn), then answers every caller.
That thread also indexes the batch's new messages for search just before
COMMIT (sqlite_fts.py), and, after the callers have their answers, completes
or truncates the WAL when the checkpointer asks for it (sqlite_checkpoint.py).
Statements run on the loop thread: they take microseconds, and a thread hop
per statement costs more than the statement. Readers use their own
connection: WAL lets them read beside the writer.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from chatd.storage.ports.events import EventNote
from chatd.storage.sql.sqlite_checkpoint import Checkpointer
from chatd.storage.sql.sqlite_fts import index_new_messages
from chatd.storage.sql.write_errors import translate
from chatd.storage.sql.db import Conn, Database, Row, to_sqlite

T = TypeVar("T")
# A queued write: its fn, its caller's future, and whether fn may be run again.
Queued = tuple[Callable[[Conn], Awaitable[Any]], "asyncio.Future[Any]", bool]
Outcome = tuple["asyncio.Future[Any]", Any, BaseException | None]
MAX_BATCH = 256
# The writer's page cache (SQLite's default is 2 MiB). A send touches index
# pages all over the database (per-conversation seqs, per-sender client ids);
# with 2 MiB, 0.8 of them per message were read back from disk at 3,000
# msg/s. Only the writer's cache survives commits (a reader's is dropped
# whenever the database changed), and it fills only as pages are used.
WRITER_CACHE_KIB = 8192


def _null(value: None) -> None:
    return value


# Python 3.11's sqlite3 binds int, float and str directly but sends None
# through its adapter lookup, which ends by asking the PrepareProtocol type
# for `__adapt__` (an AttributeError made and dropped, ~0.17 us a None; a
# send binds 12). A registered adapter is found first. It maps None to
# itself, so nothing is stored differently (process-wide, harmless to any
# other sqlite3 user).
sqlite3.register_adapter(type(None), _null)


class SqliteConn(Conn):
    dialect = "sqlite"

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw
        self.new_events = []

    async def fetch(self, sql: str, *args: Any) -> Sequence[Row]:
        return self.raw.execute(to_sqlite(sql), args).fetchall()

    async def fetch_values(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        # Tuples, not sqlite3.Row: a Row per row to make, unpack by index and free
        # was ~6% of a history page's instructions.
        cursor = self.raw.cursor()
        cursor.row_factory = None
        return cursor.execute(to_sqlite(sql), args).fetchall()

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return self.raw.execute(to_sqlite(sql), args).fetchone()

    async def execute(self, sql: str, *args: Any) -> int:
        return self.raw.execute(to_sqlite(sql), args).rowcount

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.raw.executemany(to_sqlite(sql), rows)


def connect(path: Path) -> sqlite3.Connection:
    raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    raw.row_factory = sqlite3.Row
    raw.execute("PRAGMA busy_timeout = 5000")
    raw.execute("PRAGMA foreign_keys = ON")
    # FULL: an acknowledged message survives a power cut (the Pi on a wall plug).
    raw.execute("PRAGMA synchronous = FULL")
    return raw


async def _run_writes(conn: SqliteConn, batch: list[Queued], *, bare: bool) -> tuple[list[Outcome], list[EventNote]] | None:
    """Run the batch's writes in the open transaction: each caller's outcome,
    and the events of those that succeeded. bare: the rerunnable writes at
    the head of the batch run without a savepoint (two statements fewer per
    send); None when one of them failed, the batch then to be run again."""
    raw = conn.raw
    done: list[Outcome] = []
    events: list[EventNote] = []
    for fn, fut, rerunnable in batch:
        conn.new_events = []
        if bare and rerunnable:
            try:
                result = await fn(conn)
            except Exception:  # noqa: BLE001 - the guarded run gives it to its caller
                return None
            done.append((fut, result, None))
            events.extend(conn.new_events)
            continue
        bare = False  # from here on, a failure must undo only its own write
        raw.execute("SAVEPOINT w")
        try:
            result = await fn(conn)
        except Exception as err:  # noqa: BLE001 - handed to its caller
            raw.execute("ROLLBACK TO w")
            raw.execute("RELEASE w")
            done.append((fut, None, translate(err)))
        else:
            raw.execute("RELEASE w")
            done.append((fut, result, None))
            events.extend(conn.new_events)
    conn.new_events = []
    return done, events


def _commit(raw: sqlite3.Connection) -> None:
    """In the commit thread: index the batch's new messages for search (off
    the event loop, see sqlite_fts.py), then COMMIT."""
    index_new_messages(raw)
    raw.execute("COMMIT")


class SqliteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, url: str):
        self.url = url
        self.path = Path(url.removeprefix("sqlite:///"))
        self._writer: SqliteConn | None = None
        self._reader: SqliteConn | None = None
        self._queue: list[Queued] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._committer: ThreadPoolExecutor | None = None
        self._checkpointer: Checkpointer | None = None
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        w = connect(self.path)
        w.execute("PRAGMA journal_mode = WAL")
        # The checkpointer both empties and truncates the WAL (see there).
        w.execute("PRAGMA wal_autocheckpoint = 0")
        w.execute("PRAGMA journal_size_limit = -1")
        # Each caller's SAVEPOINT keeps the original of every page it changes
        # in a statement journal: in memory, not in a temp file.
        w.execute("PRAGMA temp_store = MEMORY")
        w.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        self._writer = SqliteConn(w)
        self._checkpointer = Checkpointer(self.path)
        self._checkpointer.start()
        self._reader = SqliteConn(connect(self.path))
        self._wake = asyncio.Event()
        self._checkpointer.wake_writer = self._wake.set
        self._closing = False
        # Kept: asyncio.get_running_loop() costs a getpid() syscall, once per send.
        self._loop = asyncio.get_running_loop()
        self._committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatd-sqlite-commit")
        self._task = asyncio.create_task(self._write_loop(), name="chatd-sqlite-writer")

    async def close(self) -> None:
        if self._task:
            # Not cancel: a cancel landing during COMMIT would roll back on
            # this thread while the commit thread still uses the connection.
            # The writer finishes what is queued, then returns.
            self._closing = True
            self._wake.set()
            await self._task
            self._task = None
        if self._committer is not None:
            self._committer.shutdown()
            self._committer = None
        if self._checkpointer is not None:
            await self._checkpointer.close()
            self._checkpointer = None
        for conn in (self._writer, self._reader):
            if conn:
                conn.raw.close()
        self._writer = self._reader = None

    async def read(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        if self._reader is None:
            raise RuntimeError("database not started or closed")
        return await fn(self._reader)

    async def write(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        return await self._enqueue(fn, False)

    async def write_rerunnable(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        return await self._enqueue(fn, True)

    async def _enqueue(self, fn: Callable[[Conn], Awaitable[T]], rerunnable: bool) -> T:
        if self._task is None or self._closing or self._loop is None:
            raise RuntimeError("database not started or closing")
        fut: asyncio.Future[T] = self._loop.create_future()
        self._queue.append((fn, fut, rerunnable))
        self._wake.set()
        return await fut

    async def _write_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                await self._run_batch(batch)
            checkpointer = self._checkpointer
            if checkpointer is not None and checkpointer.truncate_due and self._writer is not None:
                # Writes arriving meanwhile wait in the queue, not the loop.
                await self._loop.run_in_executor(self._committer, checkpointer.truncate, self._writer.raw)
            if self._closing:
                return

    async def _run_batch(self, batch: list[Queued]) -> None:
        conn, checkpointer = self._writer, self._checkpointer
        assert conn is not None and checkpointer is not None and self._loop is not None
        raw = conn.raw
        raw.execute("BEGIN IMMEDIATE")
        try:
            ran = await _run_writes(conn, batch, bare=True)
            if ran is None:
                # A write run without a savepoint failed: undo the batch and
                # run it again, each write in its own savepoint.
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raw.execute("BEGIN IMMEDIATE")
                ran = await _run_writes(conn, batch, bare=False)
            done, events = ran
            await self._loop.run_in_executor(self._committer, _commit, raw)
        except BaseException as err:
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            for _, fut, _ in batch:
                if not fut.done():
                    fut.set_exception(translate(err) if isinstance(err, Exception) else RuntimeError("write cancelled"))
            if not isinstance(err, Exception):
                raise
            return
        checkpointer.truncate_due = False  # not idle after all: a later round decides
        if events and self.on_commit is not None:
            self.on_commit(events)
        for fut, result, error in done:
            if fut.done():
                continue
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(result)
        if checkpointer.catch_up_due:
            # The next batch waits for it, this one's callers do not.
            await self._loop.run_in_executor(self._committer, checkpointer.catch_up, raw)
