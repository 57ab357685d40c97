"""PostgreSQL's group commit of sends (storage/sql/pg_group.py,
message_batch.py): a batch fails only its bad sends, with the errors a send
alone gets; a client_id twice in one batch stores one message; two
processes' batches interleave without seq gaps, and a reader of the sync
log sees every event once, in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from chatd.errors import Invalid
from chatd.storage.build import open_stores
from chatd.storage.ports.messages import (
    AttachmentsUnavailable,
    ClientIdInUse,
    NoConversation,
    ReplyElsewhere,
)
from chatd.storage.sql.events import EVENT_LOCK
from chatd.storage.sql.message_batch import append_batch
from chatd.storage.sql.pg_group import TURN_LOCK
from tests.conftest import _truncate, make_config
from tests.contract.test_messages import add_attachment, draft, events, last_seq, seed
from tests.contract.two_processes import interleave, two_on_postgres  # noqa: F401 - a fixture
from tests.sql_handle import sql_db


@pytest.fixture
def two(two_on_postgres):
    return two_on_postgres


async def test_one_batch_fails_only_its_bad_sends(two):
    stores, _ = two
    await seed(stores, users=("ann", "bob", "cy"), conversations=[("c1", ("ann", "bob")), ("c2", ("bob", "cy")),
                                                                   ("c3", ("ann", "cy"))])
    await add_attachment(stores, "a1", "c1", "ann")
    await add_attachment(stores, "b1", "c1", "bob")
    before, _ = await stores.messages.append(draft("before"))
    batch = [
        draft("k1"),
        draft("k2", cid="c2"),  # ann is no member of c2
        draft("k3", reply_to="nope"),
        draft("k4", attachments=["a1", "b1"]),  # b1 is bob's: a1's claim is undone
        draft("k5", attachments=["a1"]),  # so a1 is free for this one
        draft("k1"),  # the same send again, in the same batch
        draft("k1", cid="c3"),  # its client id, into another conversation
        draft("before"),  # a client id stored before the batch
        draft("k6"),
    ]
    db = sql_db(stores)
    outcomes = await db.write(lambda conn: append_batch(conn, batch))
    first, created = outcomes[0]
    assert created and first.seq == 2
    assert isinstance(outcomes[1], NoConversation) and isinstance(outcomes[2], ReplyElsewhere)
    assert isinstance(outcomes[3], AttachmentsUnavailable)
    claimed, _ = outcomes[4]
    assert claimed.seq == 3 and claimed.attachments == ["a1"]
    assert outcomes[5] == (first, False)
    assert isinstance(outcomes[6], ClientIdInUse) and outcomes[6].first == first
    assert outcomes[7] == (before, False)
    assert outcomes[8][0].seq == 4
    assert await last_seq(stores, "c1") == 4 and await last_seq(stores, "c3") == 0
    assert (await stores.attachments.get("a1")).attachment.message_id == claimed.id
    assert (await stores.attachments.get("b1")).attachment.message_id is None
    assert [e[3]["seq"] for e in await events(stores, "message.created")] == [1, 2, 3, 4]


async def test_a_send_postgresql_refuses_fails_alone_in_its_batch(two):
    """Through the group writer: a write PostgreSQL rejects for its data
    makes the batch be written one send at a time; the others all land."""
    stores, _ = two
    await seed(stores)
    sends = [draft(f"k{i}", body="\x00" if i == 3 else f"m{i}") for i in range(8)]
    results = await asyncio.gather(*(stores.messages.append(d) for d in sends), return_exceptions=True)
    assert isinstance(results[3], Invalid) and "NUL" in str(results[3])  # a 400, as on SQLite
    stored = [r[0] for k, r in enumerate(results) if k != 3]
    assert sorted(m.seq for m in stored) == list(range(1, 8))
    assert await last_seq(stores) == 7


async def test_refusals_in_a_concurrent_batch_get_their_own_errors(two):
    stores, _ = two
    await seed(stores, users=("ann", "bob", "cy"), conversations=[("c1", ("ann", "bob")), ("c2", ("bob", "cy"))])
    sends = [draft(f"k{i}") for i in range(10)] + [draft("x", cid="c2"), draft("y", reply_to="nope")]
    sends += [draft("k0"), draft("k1", cid="c2", sender="bob")]
    results = await asyncio.gather(*(stores.messages.append(d) for d in sends), return_exceptions=True)
    assert [m.seq for m, _ in results[:10]] == list(range(1, 11))
    assert isinstance(results[10], NoConversation) and isinstance(results[11], ReplyElsewhere)
    assert results[12] == (results[0][0], False)
    assert results[13][0].seq == 1 and results[13][1]  # bob's own k1
    assert await last_seq(stores) == 10


async def test_two_processes_interleave_without_gaps_and_sync_reads_in_order(two):
    """Each batch locks several conversations (two_processes.py)."""
    await interleave(*two, users=6, conversations=4, rounds=6)


async def test_a_batch_commits_its_events_under_the_log_lock(two, postgres_url):
    """What keeps /sync exact across processes: a batch inserts its events
    and commits holding the event-log lock, so while another session holds
    it the batch waits, and nothing of it is visible."""
    stores, _ = two
    await seed(stores)
    head = await stores.events.latest()
    other = await asyncpg.connect(postgres_url)
    try:
        await other.execute("SELECT pg_advisory_lock($1)", EVENT_LOCK)
        sends = asyncio.gather(*(stores.messages.append(draft(f"k{i}")) for i in range(5)))
        await asyncio.sleep(0.3)
        assert not sends.done()
        assert await other.fetchval("SELECT count(*) FROM events WHERE seq > $1", head) == 0
        assert await other.fetchval("SELECT count(*) FROM messages") == 0
        await other.execute("SELECT pg_advisory_unlock($1)", EVENT_LOCK)
        results = await sends
    finally:
        await other.close()
    assert [m.seq for m, _ in results] == [1, 2, 3, 4, 5]
    assert [e[3]["seq"] for e in await events(stores, "message.created")] == [1, 2, 3, 4, 5]


async def test_sends_that_queue_while_another_process_has_the_turn_go_in_one_transaction(two, postgres_url):
    """While another process's batch is being written (it holds the turn),
    this process's first send waits for the turn and the sends queued
    behind it go in with it: one transaction, seqs in order, none lost."""
    stores, _ = two
    await seed(stores)
    other = await asyncpg.connect(postgres_url)
    try:
        await other.execute("SELECT pg_advisory_lock($1)", TURN_LOCK)
        first = asyncio.ensure_future(stores.messages.append(draft("k0")))
        await asyncio.sleep(0.2)  # its batch (of one) now waits for the turn
        later = [asyncio.ensure_future(stores.messages.append(draft(f"k{i}"))) for i in range(1, 6)]
        await asyncio.sleep(0.2)
        assert not first.done() and await other.fetchval("SELECT count(*) FROM messages") == 0
        await other.execute("SELECT pg_advisory_unlock($1)", TURN_LOCK)
        results = await asyncio.gather(first, *later)
        assert await other.fetchval("SELECT count(DISTINCT xmin::text) FROM messages") == 1  # one transaction
    finally:
        await other.close()
    assert [(m.client_id, m.seq, created) for m, created in results] == [(f"k{i}", i + 1, True) for i in range(6)]
    assert [e[3]["seq"] for e in await events(stores, "message.created")] == [1, 2, 3, 4, 5, 6]


async def test_closing_finishes_the_queued_sends_then_refuses_new_ones(postgres_url, tmp_path: Path):
    await _truncate(postgres_url)
    config = make_config(tmp_path, postgres_url)
    stores = await open_stores(config, run_migrations=False)
    await seed(stores)
    sends = [asyncio.ensure_future(stores.messages.append(draft(f"k{i}"))) for i in range(20)]
    await asyncio.sleep(0)  # queued in the group writer, not yet committed
    await sql_db(stores).close()
    assert [s.result()[0].seq for s in sends] == list(range(1, 21))
    with pytest.raises(RuntimeError):
        await stores.messages.append(draft("late"))
    await stores.close()
    again = await open_stores(config, run_migrations=False)
    try:
        assert await last_seq(again) == 20
    finally:
        await again.close()
