"""Events recorded by the SQL adapters (accounts and contacts stay in SQL:
`user.updated`, `contact.updated`, `contact.removed`) moved into the MongoDB
log, so a client follows one log with one cursor.

The SQL events table works as an outbox: each change still writes its event
in its own SQL transaction. The relay copies events after the last one it
moved and records how far it got in the same MongoDB transaction (a counter
document every relay writes, so two processes relaying at once conflict and
one retries): each SQL event lands in the log exactly once, in SQL seq order.
Only then are the copied rows dropped from the SQL table. It runs when this
process's SQL writes commit and every `POLL_SECONDS` for other processes'.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from chatd.stopping import cancel_and_wait, cancel_requested
from chatd.storage.mongo.backend import MongoBackend, Tx
from chatd.storage.mongo.events import append_event
from chatd.storage.ports.events import EventNote
from chatd.storage.sql.events import SqlEventStore

log = logging.getLogger("chatd.storage")

RELAY = "sql_relay"
BATCH = 500
POLL_SECONDS = 1.0
_ALL = 2**62


class SqlEventRelay:
    def __init__(self, backend: MongoBackend, sql_events: SqlEventStore):
        self.backend, self.sql_events = backend, sql_events
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def kick(self, _notes: list[EventNote] | None = None) -> None:
        """The SQL database's commit hook: something may wait to be moved."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="chatd-event-relay")

    async def move(self) -> int:
        """Move one batch; returns how many events it moved."""

        async def step(tx: Tx) -> int:
            state: dict[str, Any] = await tx.db.counters.find_one_and_update(
                {"_id": RELAY}, {"$inc": {"runs": 1}}, upsert=True, return_document=True, session=tx.session)
            upto = int(state.get("upto", 0))
            notes = await self.sql_events.between(upto, _ALL, BATCH)
            for n in notes:
                await append_event(tx, n.event.type, n.event.payload, conversation_id=n.event.conversation_id,
                                   user_id=n.user_id)
            if notes:
                await tx.db.counters.update_one({"_id": RELAY}, {"$set": {"upto": notes[-1].event.seq}},
                                                session=tx.session)
            self._moved_upto = notes[-1].event.seq if notes else upto
            return len(notes)

        moved = await self.backend.write(step)
        if moved:
            await self.sql_events.forget_through(self._moved_upto)
        return moved

    async def _loop(self) -> None:
        # Not `while True`: with MongoDB gone, a cancel at shutdown can be
        # swallowed inside pymongo's server selection and come out as its
        # timeout error, and the loop would retry for ever (the SQL outbox
        # keeps what was not moved for the next start).
        while not cancel_requested():
            try:
                while await self.move() == BATCH:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a store away for a moment: try again later
                if cancel_requested():
                    return
                log.exception("moving SQL events into the MongoDB log failed; retrying")
            try:
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            except TimeoutError:
                pass
            self._wake.clear()

    async def ping(self) -> None:
        if self._task is not None and self._task.done():
            raise RuntimeError("the event relay stopped")

    def unreachable(self, err: BaseException) -> str | None:
        return None  # the stores it moves between answer for themselves

    async def close(self) -> None:
        await cancel_and_wait([self._task], "event relay")
        self._task = None
