"""The sync log in SQL: appended inside the same transaction as the change it
records, read back per user by `SqlEventStore`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from chatd import clock
from chatd.domain import Event
from chatd.storage.ports.events import EventNote, EventPage
from chatd.storage.sql.db import Conn, Database, Row

# PostgreSQL hands out BIGSERIAL values at insert time but transactions may
# commit in another order; a reader could then skip a seq that commits later.
# This lock (held to commit) makes event inserts, and so commits, go in seq
# order. It is taken as the LAST step of a transaction (flush_deferred), after
# every row lock: taken earlier it would invert the lock order with a
# writer that waits for it while holding a row this one needs (deadlock).
EVENT_LOCK = 0x63686174  # "chat"


class Pending(msgspec.Struct, frozen=True):
    type: str
    body: Any
    conversation_id: str | None
    user_id: str | None


async def append_event(
    conn: Conn,
    type: str,
    payload: Any,
    *,
    conversation_id: str | None = None,
    user_id: str | None = None,
) -> None:
    """Record one event. `user_id` set = a per-user event only that user sees;
    otherwise every current member of `conversation_id` sees it. On SQLite
    (one writer) it is inserted now; on PostgreSQL at the end of the
    transaction, by flush_deferred."""
    pending = Pending(type, msgspec.to_builtins(payload), conversation_id, user_id)
    if conn.dialect == "postgres":
        conn.deferred_events.append(pending)
    else:
        await _insert(conn, pending)


# One statement, one round trip, for a whole transaction's events (a batch
# of sends has one per message): the lock first (the CTE `locked` is scanned
# before `block` computes anything), then a block of n seqs taken from the
# sequence at once, then the rows with their seqs given explicitly by
# position, so the seq of each event is known without trusting the order in
# which an INSERT evaluates column defaults. Only writers holding the lock
# take seqs, so the block is theirs alone.
_FLUSH = """WITH locked AS (SELECT pg_advisory_xact_lock($1)),
 block AS (SELECT setval(pg_get_serial_sequence('events', 'seq'),
                         nextval(pg_get_serial_sequence('events', 'seq')) + $2 - 1) - $2 AS base FROM locked)
INSERT INTO events (seq, type, conversation_id, user_id, payload, created_at)
SELECT block.base + e.i, e.type, e.conversation_id, e.user_id, e.payload, $3
  FROM block, unnest($4::text[], $5::text[], $6::text[], $7::text[])
       WITH ORDINALITY AS e(type, conversation_id, user_id, payload, i)
RETURNING seq"""


class _Frame(msgspec.Struct, kw_only=True):
    """An Event with its payload already encoded: the same fields in the same
    order, so the same bytes as encoding the Event (a contract test holds it)."""

    seq: int
    type: str
    conversation_id: str | None
    payload: msgspec.Raw
    created_at: datetime


_encode = msgspec.json.Encoder().encode


async def flush_deferred(conn: Conn) -> None:
    """PostgreSQL: take the log lock and insert this transaction's events."""
    pending, conn.deferred_events = conn.deferred_events, []
    if not pending:
        return
    at = clock.now()
    bodies = [_encode(p.body) for p in pending]
    seqs = await conn.fetch(
        _FLUSH,
        EVENT_LOCK,
        len(pending),
        clock.to_ms(at),
        [p.type for p in pending],
        [p.conversation_id for p in pending],
        [p.user_id for p in pending],
        [body.decode() for body in bodies],
    )
    first = min(row[0] for row in seqs)
    for i, (p, body) in enumerate(zip(pending, bodies)):
        _note(conn, p, first + i, at, body)


async def _insert(conn: Conn, pending: Pending) -> None:
    at = clock.now()
    body = _encode(pending.body)  # once: the log's column and the live frame
    seq = await conn.fetchval(
        "INSERT INTO events (type, conversation_id, user_id, payload, created_at)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING seq",
        pending.type,
        pending.conversation_id,
        pending.user_id,
        body.decode(),
        clock.to_ms(at),
    )
    _note(conn, pending, seq, at, body)


def _note(conn: Conn, p: Pending, seq: int, at: datetime, body: bytes) -> None:
    """The committed-event note, with the frame built around the payload
    encoded once for the log (not encoded again by the bus)."""
    event = Event(seq=seq, type=p.type, conversation_id=p.conversation_id, payload=p.body, created_at=at)
    frame = _encode(_Frame(seq=seq, type=p.type, conversation_id=p.conversation_id, payload=msgspec.Raw(body),
                           created_at=at))
    conn.new_events.append(EventNote(event=event, user_id=p.user_id, frame=frame))


EVENT_COLUMNS = "seq, type, conversation_id, user_id, payload, created_at"
# How much of the log one `since` call examines at most: a client far behind on
# a busy server pages through in bounded steps instead of one huge scan.
SCAN_WINDOW = 5000
PRUNE_BATCH = 5000

# The visibility rule: addressed to me, or conversation-wide in a conversation
# I am a member of now (members' primary key makes the EXISTS one index probe).
VISIBLE = f"""SELECT {EVENT_COLUMNS} FROM events e
 WHERE e.seq > $2 AND e.seq <= $3
   AND (e.user_id = $1 OR (e.user_id IS NULL AND EXISTS (
        SELECT 1 FROM members m WHERE m.conversation_id = e.conversation_id AND m.user_id = $1)))
 ORDER BY e.seq LIMIT $4"""


def event_of(row: Row) -> Event:
    return Event(
        seq=row["seq"],
        type=row["type"],
        conversation_id=row["conversation_id"],
        payload=msgspec.json.decode(row["payload"]),
        created_at=clock.from_ms(row["created_at"]),
    )


async def _latest(conn: Conn) -> int:
    return await conn.fetchval("SELECT MAX(seq) FROM events") or 0


class SqlEventStore:
    def __init__(self, db: Database):
        self.db = db

    async def since(self, user_id: str, after: int, limit: int, *, window: int = SCAN_WINDOW) -> EventPage:
        async def run(c: Conn) -> EventPage:
            # The head first: commits happen in seq order, so everything up to
            # it is visible to the query below and `next` may safely reach it.
            head = await _latest(c)
            rows = await c.fetch(VISIBLE, user_id, after, after + window, limit)
            events = [event_of(r) for r in rows]
            if len(events) == limit:
                return EventPage(events=events, next=events[-1].seq, more=True)
            reached = max(after, min(after + window, head), events[-1].seq if events else after)
            return EventPage(events=events, next=reached, more=reached < head)

        return await self.db.read(run)

    async def between(self, after: int, upto: int, limit: int) -> list[EventNote]:
        async def run(c: Conn) -> list[EventNote]:
            rows = await c.fetch(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
                after,
                upto,
                limit,
            )
            return [EventNote(event=event_of(r), user_id=r["user_id"]) for r in rows]

        return await self.db.read(run)

    async def oldest(self) -> int:
        return await self.db.read(lambda c: c.fetchval("SELECT MIN(seq) FROM events")) or 0

    async def latest(self) -> int:
        return await self.db.read(_latest)

    async def forget_through(self, seq: int) -> int:
        """Drop every event up to `seq`: when another log took them over
        (storage/mongo/relay.py moves them into MongoDB's)."""
        return await self.db.write(lambda c: c.execute("DELETE FROM events WHERE seq <= $1", seq))

    async def prune(self, before: datetime) -> int:
        cutoff = clock.to_ms(before)

        async def batch(c: Conn) -> tuple[int, bool]:
            # Only a prefix by seq, and never the newest event: the invariant
            # "below oldest() everything is gone, above it nothing is" holds
            # even if the clock once went backwards.
            newest = await _latest(c)
            rows = await c.fetch(
                "SELECT seq, created_at FROM events WHERE seq < $1 ORDER BY seq LIMIT $2", newest, PRUNE_BATCH
            )
            cut = None
            for r in rows:
                if r["created_at"] >= cutoff:
                    break
                cut = r["seq"]
            if cut is None:
                return 0, False
            gone = await c.execute("DELETE FROM events WHERE seq <= $1", cut)
            return gone, cut == rows[-1]["seq"] and len(rows) == PRUNE_BATCH

        total, again = 0, True
        while again:  # one short write per batch: the writer is never held for long
            gone, again = await self.db.write(batch)
            total += gone
        return total
