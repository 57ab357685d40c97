"""The connection, the transaction runner and the start-up checks.

Every write is one multi-document transaction that also appends its sync
events (events.py); the events go to the committed-events port only after
the commit. Every write transaction increments the log's counter document,
so two transactions that write at the same time conflict on it and one is
retried: the log's seqs commit in order, like PostgreSQL's event lock. In
one process writes queue on a lock (retrying conflicts costs more than
waiting); between processes the retry with a growing, jittered pause does it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pymongo
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, PyMongoError

from chatd.config import ConfigError, redact_url
from chatd.errors import StoreUnavailable
from chatd.storage import tls_errors
from chatd.storage.committed import CommitFeed
from chatd.storage.ports.events import EventNote

T = TypeVar("T")

NO_TRANSACTIONS = (
    "storage.messages: this MongoDB server does not run transactions (it is not a replica set). "
    "Run it as a one-node replica set: start mongod with --replSet rs0, then run once "
    "mongosh --eval 'rs.initiate()', and add ?replicaSet=rs0 to the URL."
)
RETRIES = 50
STORE = "mongodb"
CLOSE_WAIT = 1.0  # seconds the close may spend telling the server goodbye


class Tx:
    """What adapter code may use inside `MongoBackend.write`."""

    def __init__(self, db: AsyncDatabase[Any], session: AsyncClientSession):
        self.db, self.session = db, session
        self.notes: list[EventNote] = []


class MongoBackend:
    def __init__(self, url: str, committed: CommitFeed):
        self.url = url
        self.client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=5000)
        self.db: AsyncDatabase[Any] = self.client.get_default_database(default="chatd")
        self.committed = committed
        self.text_search = False  # the server has text indexes (migrations.py finds out at start)
        self._lock = asyncio.Lock()
        # Writes asked for and not answered yet (a send still queued in its
        # group writer counts): close() lets them finish, as PostgreSQL's does.
        self._writing = 0
        self._idle = asyncio.Event()
        self._closing = False

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around a write from its request to its answer: refused once closing."""
        if self._closing:
            raise RuntimeError("MongoDB store closing")
        self._writing += 1
        try:
            yield
        finally:
            self._writing -= 1
            if not self._writing:
                self._idle.set()

    async def start(self) -> None:
        try:
            hello = await self.client.admin.command("hello")
        except PyMongoError as err:
            if tls_errors.tls_failure(STORE, err) is None:
                raise ConnectionError(f"storage.messages: MongoDB at {redact_url(self.url)} does not answer ({err})") \
                    from err
            raise ConnectionError(tls_errors.describe(STORE, self._where(), err)) from err
        if not hello.get("setName") and hello.get("msg") != "isdbgrid":
            raise ConfigError(NO_TRANSACTIONS)

    def _where(self) -> str:
        return f"storage.messages (MongoDB at {redact_url(self.url).partition('?')[0]})"

    async def ping(self) -> None:
        """A failed TLS handshake is named at once: pymongo's monitor saw it,
        and waiting for server selection would outlast /readyz's 3 s."""
        for server in self.client.topology_description.server_descriptions().values():
            if server.is_server_type_known or server.error is None:
                continue
            if (failed := tls_errors.tls_failure(STORE, server.error)) is not None:
                tls_errors.note(failed, self._where())
                raise failed from server.error
        await self.client.admin.command("ping")

    async def close(self) -> None:
        """Let writes already asked for finish (their callers wait for an
        answer), refuse new ones, then close the client."""
        self._closing = True
        while self._writing:
            self._idle.clear()
            await self._idle.wait()
        # close() first ends the client's server sessions with an endSessions
        # command, which waits for server selection: with MongoDB gone that
        # held the shutdown for the whole serverSelectionTimeoutMS. The
        # command is a courtesy (the server drops idle sessions by itself),
        # so it gets CLOSE_WAIT; pymongo's own timeout, since a cancel can be
        # lost inside its selection loop.
        with pymongo.timeout(CLOSE_WAIT):
            await self.client.close()

    def unreachable(self, err: BaseException) -> str | None:
        """pymongo reconnects by itself; until then its errors mean the store is away."""
        return STORE if isinstance(err, (ConnectionFailure, StoreUnavailable)) else None

    async def write(self, fn: Callable[[Tx], Awaitable[T]]) -> T:
        """Run fn in a transaction: all of it commits, or (on exception) none;
        conflicting transactions are retried from the start."""
        with self.writing():
            return await self.transaction(fn)

    async def transaction(self, fn: Callable[[Tx], Awaitable[T]]) -> T:
        """write() for a write already counted (a group writer's batch)."""
        for attempt in range(RETRIES):
            async with self._lock, self.client.start_session() as session:
                tx = Tx(self.db, session)
                try:
                    async with await session.start_transaction():
                        result = await fn(tx)
                except ConnectionFailure as err:  # not a conflict: retrying would only wait again
                    raise tls_errors.unavailable(STORE, self._where(), err) from err
                except PyMongoError as err:
                    if not err.has_error_label("TransientTransactionError") or attempt == RETRIES - 1:
                        raise
                else:
                    self.committed.publish(tx.notes)
                    return result
            await asyncio.sleep(random.uniform(0, min(0.001 * 2**attempt, 0.1)))
        raise AssertionError("unreachable")
