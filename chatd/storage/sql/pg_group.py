"""Group commit on PostgreSQL: writes of one kind (sends) that arrive while
the previous batch is being written go together into the next transaction.

One batch is written at a time per process: the event log's lock (events.py)
is held from a transaction's events to its COMMIT, so commits that append
events go one after another across all processes anyway; a batch pays for
that lock, that COMMIT and its fsync once for all its writes.

Each caller gets its own outcome (a result, or the exception its write
alone would have raised) only after the COMMIT, and nothing if the
transaction failed but that failure. The queue holds one entry per waiting
caller, each batch at most MAX_BATCH of them.

Several processes take turns (`take_turn`: a lock each batch takes first
and holds to its COMMIT), and a batch takes in what queued while it waited
for its turn. Without turns, two processes sending into the same
conversations waited for each other at the conversations' row locks with
their batches already fixed, so what arrived meanwhile waited for the turn
after next: on average 3 batch times from arrival to COMMIT instead of 2.

A batch that met a deadlock or another process's concurrent change
(`WriteAgain`) is written again as a whole. A batch that PostgreSQL refused
for what one of its writes holds (a data or constraint error) is written
again one write at a time, so only that write fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from chatd.errors import Invalid, StorageFailed, StorageFull, StoreUnavailable
from chatd.storage.sql.db import Conn

I = TypeVar("I")  # noqa: E741 - one item of a batch
MAX_BATCH = 256
ATTEMPTS = 5
# SQLSTATEs after which the same batch, written again, can succeed:
# serialization failure, deadlock detected.
_TRANSIENT = {"40001", "40P01"}
# SQLSTATE classes that are about the server, not about one write's data:
# connection, insufficient resources, operator intervention, system error.
_SERVER_CLASSES = {"08", "53", "57", "58"}

Outcomes = list[Any]  # per item: its result, or an Exception for its caller
BatchFn = Callable[[Conn, list[Any]], Awaitable[Outcomes]]
WriteFn = Callable[[Callable[[Conn], Awaitable[Outcomes]]], Awaitable[Outcomes]]
TurnFn = Callable[[Conn], Awaitable[None]]
# The batches' turn lock, a transaction-level advisory lock ("turn"). Taken
# first, before any row lock, and only here: it cannot be part of a cycle.
TURN_LOCK = 0x7475726E


async def take_turn(conn: Conn) -> None:
    """Wait until no other process's batch is being written (held to COMMIT)."""
    await conn.fetchval("SELECT pg_advisory_xact_lock($1)", TURN_LOCK)


class WriteAgain(Exception):
    """The batch met a change another process made after it read: roll it
    back and write it again (it sees that change then)."""


def _transient(err: BaseException) -> bool:
    return isinstance(err, WriteAgain) or getattr(err, "sqlstate", None) in _TRANSIENT


def _about_one_write(err: BaseException) -> bool:
    """PostgreSQL refused a statement for what it holds: one of the writes
    (also once postgres.refused_text has made a NUL in text an Invalid)."""
    if isinstance(err, Invalid):
        return True
    if isinstance(err, (StoreUnavailable, StorageFull, StorageFailed)):
        return False
    state = getattr(err, "sqlstate", None)
    return isinstance(state, str) and state[:2] not in _SERVER_CLASSES


class GroupWriter(Generic[I]):
    """`submit(item)` -> that item's outcome of `run(conn, items)`, written by
    `write` (one transaction, events flushed, on_commit called) together with
    the items queued meanwhile; with `turn`, each batch first waits for its
    turn in the transaction, then takes in what queued until then.
    `transient` and `about_one_write` sort a failed batch's error (defaults:
    PostgreSQL's; MongoDB's sends pass their own, mongo/message_batch.py)."""

    def __init__(self, write: WriteFn, run: BatchFn, *, max_batch: int = MAX_BATCH, turn: TurnFn | None = None,
                 transient: Callable[[BaseException], bool] = _transient,
                 about_one_write: Callable[[BaseException], bool] = _about_one_write,
                 name: str = "chatd-postgres-group-writer"):
        self._write = write
        self._run = run
        self._max_batch = max_batch
        self._turn = turn
        self._transient, self._about_one_write, self._name = transient, about_one_write, name
        self._queue: list[tuple[I, asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, item: I) -> Any:
        """`item`'s outcome, once its batch has committed (or failed). A caller
        that goes away while waiting (cancelled: a closed socket, a client
        that gave up) does not take its item back: it is still written with
        its batch, like any write whose answer was lost, and a retry with the
        same client_id finds it."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._queue.append((item, fut))
        if self._task is None:  # runs while there is work; no task idles between bursts
            self._task = loop.create_task(self._drain(), name=self._name)
        return await fut

    async def _drain(self) -> None:
        batch: list[tuple[I, asyncio.Future[Any]]] = []
        try:
            while self._queue:
                batch = self._take(self._max_batch)
                try:
                    await self._write_batch(batch, grow=True)
                except Exception as err:  # noqa: BLE001 - a bug past the write (e.g. outcomes miscounted)
                    # Its callers get it (an error answer, not a cancelled
                    # request); the batches queued behind are written as usual.
                    _fail(batch, err)
        except BaseException:  # cancelled with the loop: no caller is left waiting forever
            for _, fut in batch + self._queue:
                fut.cancel()
            self._queue = []
            raise
        finally:
            self._task = None

    def _take(self, room: int) -> list[tuple[I, asyncio.Future[Any]]]:
        taken, self._queue = self._queue[:room], self._queue[room:]
        return taken

    async def _write_batch(self, batch: list[tuple[I, asyncio.Future[Any]]], *, grow: bool = False) -> None:
        """Write `batch` (grow: and what queues until its turn comes; the
        list grows in place, so a failure reaches those callers too)."""

        async def write(conn: Conn) -> Outcomes:
            if self._turn is not None:
                await self._turn(conn)
                if grow:
                    batch.extend(self._take(self._max_batch - len(batch)))
            return await self._run(conn, [item for item, _ in batch])

        for attempt in range(1, ATTEMPTS + 1):
            try:
                outcomes = await self._write(write)
            except Exception as err:  # noqa: BLE001 - handed to the callers
                if self._transient(err) and attempt < ATTEMPTS:
                    continue
                if len(batch) > 1 and self._about_one_write(err):
                    for one in batch:
                        await self._write_batch([one])
                    return
                _fail(batch, err)
                return
            for (_, fut), outcome in zip(batch, outcomes, strict=True):
                if fut.done():  # its caller went away; the write stands
                    continue
                if isinstance(outcome, Exception):
                    fut.set_exception(outcome)
                else:
                    fut.set_result(outcome)
            return


def _fail(batch: list[tuple[Any, asyncio.Future[Any]]], err: Exception) -> None:
    """`err` to every caller of `batch` still waiting for an outcome."""
    for _, fut in batch:
        if not fut.done():
            fut.set_exception(err)
