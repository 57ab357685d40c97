"""One small connection interface over SQLite and PostgreSQL.

Adapter code is written once, against `Conn`, with `$1`-style placeholders
(converted to `?1` for SQLite). `Database.write(fn)` runs `fn` atomically;
`Database.read(fn)` runs it on a reader.

Why not piccolo's engines on the hot path: piccolo's SQLiteEngine opens a
connection (and a thread) per query and serializes writers with busy-timeout
sleeps (0.6k sends/s, p99 > 1 s, see shared/notes/performance.md). piccolo
still owns the schema migrations (migrate.py).
"""

from __future__ import annotations

import abc
import re
from collections.abc import Awaitable, Callable, Sequence
from functools import lru_cache
from typing import Any, Literal, Protocol, TypeVar

from chatd.storage.ports.events import EventNote, OnCommit

T = TypeVar("T")
Dialect = Literal["sqlite", "postgres"]


class Row(Protocol):
    def __getitem__(self, key: int | str) -> Any: ...


class Conn(abc.ABC):
    """What adapter code may do inside `read`/`write`."""

    dialect: Dialect
    # Events appended in the current write; handed to `on_commit` once committed.
    new_events: list[EventNote]
    # PostgreSQL only: events to insert at the end of the transaction (events.py).
    deferred_events: list[Any]

    @abc.abstractmethod
    async def fetch(self, sql: str, *args: Any) -> Sequence[Row]: ...

    async def fetch_values(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        """`fetch`, rows read by position only (SQLite: plain tuples)."""
        return await self.fetch(sql, *args)

    @abc.abstractmethod
    async def fetchrow(self, sql: str, *args: Any) -> Row | None: ...

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = await self.fetchrow(sql, *args)
        return None if row is None else row[0]

    @abc.abstractmethod
    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; returns the number of rows it changed."""

    @abc.abstractmethod
    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Database(abc.ABC):
    dialect: Dialect
    url: str
    # Called with the events of each committed write, in commit order, never
    # for a write that rolled back: real-time delivery hangs off this.
    on_commit: OnCommit | None = None

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def read(self, fn: Callable[[Conn], Awaitable[T]]) -> T: ...

    @abc.abstractmethod
    async def write(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        """Run fn in a transaction: all of it commits, or (on exception) none."""

    async def write_rerunnable(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        """`write` for an fn that only touches the database, so it may be run
        again from the start (SQLite does that instead of guarding each such
        write with a savepoint); elsewhere the same as `write`."""
        return await self.write(fn)

    async def write_grouped(self, run: Callable[[Conn, list[Any]], Awaitable[list[Any]]], item: Any) -> Any:
        """`item`'s outcome of `run(conn, items)`: a result, or an exception
        raised here. PostgreSQL writes the items of concurrent callers of the
        same `run` in one transaction (group commit); by default each is
        written alone."""
        outcome = (await self.write(lambda conn: run(conn, [item])))[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def ping(self) -> None:
        await self.read(lambda c: c.fetchval("SELECT 1"))

    def unreachable(self, err: BaseException) -> str | None:
        """The store's name when `err` means it does not answer (build.py)."""
        return None


_PLACEHOLDER = re.compile(r"\$(\d+)")


@lru_cache(maxsize=512)
def to_sqlite(sql: str) -> str:
    return _PLACEHOLDER.sub(r"?\1", sql)


def open_database(url: str, url_now: Callable[[], str] | None = None) -> Database:
    """The Database for a storage.database URL (sqlite:/// or postgresql://);
    `url_now`, when given, is asked for the URL at each new connection
    (a password rotated in its file: chatd/live_secret.py)."""
    if url.startswith("sqlite:///"):
        from chatd.storage.sql.sqlite import SqliteDatabase

        return SqliteDatabase(url)
    from chatd.storage.sql.postgres import PostgresDatabase

    return PostgresDatabase(url, url_now=url_now)
