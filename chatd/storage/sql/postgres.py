"""PostgreSQL through an asyncpg pool: one transaction per write, or per
batch of grouped writes (`write_grouped`, pg_group.py: sends).

Concurrent writers are ordered by row locks taken first thing in each
transaction (e.g. `UPDATE conversations ... RETURNING last_seq`), so the
adapter code stays the same as on SQLite's single writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg

from chatd.config import redact_url
from chatd.errors import Invalid, StoreUnavailable
from chatd.storage import tls_errors
from chatd.storage.credentials_refused import credentials_refused
from chatd.storage.sql.db import Conn, Database, Row
from chatd.storage.sql.events import flush_deferred
from chatd.storage.sql.pg_group import BatchFn, GroupWriter, take_turn
from chatd.storage.sql.write_errors import translate

T = TypeVar("T")
STORE = "postgresql"
# Opening a connection: a server that does not answer fails the request, never
# hangs it. (Waiting for a free pooled connection has no limit: a busy pool is
# not a store away.)
CONNECT_SECONDS = 5.0


def lost(err: BaseException) -> bool:
    """The server is gone (stopped, restarting, unreachable), as opposed to
    an error in what was asked of it."""
    if isinstance(err, asyncpg.exceptions.QueryCanceledError):
        return False
    if isinstance(err, asyncpg.exceptions.InternalClientError) and "another operation" in str(err):
        # A connection the server ended (pg_terminate_backend, an idle
        # timeout) used before asyncpg read its goodbye: the next one is fresh.
        return True
    return isinstance(err, (OSError, TimeoutError, asyncpg.exceptions.PostgresConnectionError,
                            asyncpg.exceptions.OperatorInterventionError, StoreUnavailable)) and \
        not type(err).__name__ == "DiskFullError" or credentials_refused(err)


def refused_text(err: BaseException) -> BaseException:
    """PostgreSQL text cannot hold NUL (U+0000), which SQLite stores: an id
    or text carrying one is bad input (400), not a server fault (500)."""
    if isinstance(err, asyncpg.exceptions.CharacterNotInRepertoireError):
        return Invalid("Text may not contain the NUL character (U+0000).")
    return err


class PostgresConn(Conn):
    dialect = "postgres"

    def __init__(self, raw: asyncpg.Connection):
        self.raw = raw
        self.new_events = []
        self.deferred_events = []

    async def fetch(self, sql: str, *args: Any) -> Sequence[Row]:
        return await self.raw.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self.raw.fetchrow(sql, *args)

    async def execute(self, sql: str, *args: Any) -> int:
        status = await self.raw.execute(sql, *args)
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self.raw.executemany(sql, rows)


async def _nothing_to_reset(_: asyncpg.Connection) -> None:
    """The pool's reset on release. asyncpg's default runs `SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` on every
    release: a round trip after each COMMIT, before the batch's callers
    hear (and before on_commit tells the sockets). chatd leaves no session
    state to undo: its advisory locks are all transaction-level, it keeps
    no cursors, LISTENs or SETs. An open transaction is still rolled back
    on release (asyncpg does that before calling this)."""


class PostgresDatabase(Database):
    dialect = "postgres"

    def __init__(self, url: str, *, max_size: int = 10, url_now: Callable[[], str] | None = None):
        self.url = url
        self._url_now = url_now  # asked at each new connection: a rotated password (live_secret.py)
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None
        self._writing = 0
        self._idle = asyncio.Event()
        self._closing = False
        self._groups: dict[BatchFn, GroupWriter[Any]] = {}

    async def start(self) -> None:
        try:
            self._pool = await asyncpg.create_pool(self.url, min_size=1, max_size=self.max_size,
                                                   timeout=CONNECT_SECONDS, connect=self._connect,
                                                   reset=_nothing_to_reset)
        except (OSError, asyncpg.exceptions.PostgresConnectionError,
                asyncpg.exceptions.InvalidAuthorizationSpecificationError) as err:
            if tls_errors.tls_failure(STORE, err) is None and not credentials_refused(err):
                raise
            raise ConnectionError(tls_errors.describe(STORE, self._where(), err)) from err
        self._closing = False

    async def _connect(self, dsn: str, **kwargs: Any) -> asyncpg.Connection:
        """The pool's every new connection: with the URL as it is now when it
        comes from a file, so connections opened after a rotation use the new
        password while older ones keep theirs until they close."""
        if self._url_now is not None:
            dsn = self.url = self._url_now()
        return await asyncpg.connect(dsn, **kwargs)

    def _where(self) -> str:
        return f"storage.database (PostgreSQL at {redact_url(self.url).partition('?')[0]})"

    async def refresh(self) -> None:
        """Every pooled connection is replaced: idle ones at their next use,
        busy ones when released (asyncpg's expiry), by _connect's new login."""
        if self._pool is not None:
            await self._pool.expire_connections()

    async def close(self) -> None:
        """Let writes already asked for finish (their callers wait for an
        answer), refuse new ones, then close the pool."""
        self._closing = True
        while self._writing:
            self._idle.clear()
            await self._idle.wait()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    def unreachable(self, err: BaseException) -> str | None:
        """read/write raise StoreUnavailable themselves; this catches asyncpg's
        own connection errors met elsewhere. Not a bare OSError: that may be
        any store's (a media folder's), not this one's."""
        if isinstance(err, asyncpg.exceptions.QueryCanceledError):
            return None
        own = (asyncpg.exceptions.PostgresConnectionError, asyncpg.exceptions.OperatorInterventionError)
        return STORE if isinstance(err, own) or credentials_refused(err) else None

    async def read(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        """One retry when the connection turns out dead (the server restarted
        since it was opened): the pool opens a fresh one, and a read is safe
        to repeat. A server still away is StoreUnavailable."""
        if self._pool is None:
            raise RuntimeError("database not started or closed")
        for attempt in (1, 2):
            try:
                async with self._pool.acquire() as raw:
                    return await fn(PostgresConn(raw))
            except Exception as err:
                if not lost(err):
                    clear = refused_text(err)
                    if clear is err:
                        raise
                    raise clear from err
                if attempt == 2 or isinstance(err, (OSError, TimeoutError)):
                    raise tls_errors.unavailable(STORE, self._where(), err) from err
        raise AssertionError("unreachable")

    async def write(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        self._begin_write()
        try:
            return await self._transaction(fn)
        finally:
            self._end_write()

    async def write_grouped(self, run: BatchFn, item: Any) -> Any:
        """`item`'s outcome of `run(conn, items)`, written in one transaction
        with the items of every caller of the same `run` queued meanwhile
        (group commit, pg_group.py); an outcome that is an exception is
        raised here, after the batch's COMMIT like every other."""
        self._begin_write()
        try:
            writer = self._groups.get(run)
            if writer is None:
                writer = self._groups[run] = GroupWriter(self._transaction, run, turn=take_turn)
            return await writer.submit(item)
        finally:
            self._end_write()

    def _begin_write(self) -> None:
        if self._pool is None or self._closing:
            raise RuntimeError("database not started or closing")
        self._writing += 1

    def _end_write(self) -> None:
        self._writing -= 1
        if not self._writing:
            self._idle.set()

    async def _transaction(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        if self._pool is None:
            raise RuntimeError("database not started or closed")
        try:
            async with self._pool.acquire() as raw:
                async with raw.transaction():
                    conn = PostgresConn(raw)
                    result = await fn(conn)
                    await flush_deferred(conn)
                # Committed. Told now, not after the release (a task of its
                # own in asyncpg, two loop turns): the fan-out publishes first.
                if conn.new_events and self.on_commit is not None:
                    self.on_commit(conn.new_events)
        except Exception as err:
            if lost(err):  # not retried: a COMMIT cut off may have landed; the caller retries (client ids)
                raise tls_errors.unavailable(STORE, self._where(), err) from err
            clear = refused_text(translate(err))
            if clear is err:
                raise
            raise clear from err
        return result
