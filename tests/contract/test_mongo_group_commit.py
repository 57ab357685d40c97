"""MongoDB's group commit of sends (storage/mongo/message_batch.py): the
sends waiting when a transaction starts go in together, in a handful of
operations whatever their number; a batch fails only its bad sends, with
the errors a send alone gets; repeats of a client_id (in a batch, across
batches, across conversations and across processes) store one message;
two processes' batches interleave without seq gaps and a reader of the sync
log sees every event once, in order. The port-level cases run on every
adapter in test_messages.py."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from pathlib import Path

import msgspec
import pytest
from pymongo import monitoring
from pymongo.errors import DocumentTooLarge

from chatd.domain import Envelope
from chatd.storage.build import open_stores
from chatd.storage.mongo.message_batch import append_batch
from chatd.storage.ports.messages import (
    AttachmentsUnavailable,
    ClientIdInUse,
    Draft,
    EncryptionRequired,
    NoConversation,
    PeerBlocked,
    ReplyElsewhere,
)
from tests.conftest import make_config
from tests.contract.test_messages import add_attachment, block, draft, events, last_seq, seed
from tests.contract.two_processes import interleave
from tests.mongo_server import drop_mongo_database, mongo_url


class _Commands(monitoring.CommandListener):
    """The commands pymongo sends to database `watch` (None: none counted)."""

    def __init__(self) -> None:
        self.watch: str | None = None
        self.seen: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.watch is not None and event.database_name == self.watch:
            self.seen[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


# Registered once for the session's clients created from here on; it counts
# only while a test has set `watch` to its own database.
COMMANDS = _Commands()
monitoring.register(COMMANDS)


@pytest.fixture
async def two(mongo_server: str, tmp_path: Path, sqlite_template: Path):
    """Two sets of stores on one MongoDB database and one SQLite file: two
    chatd processes."""
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    sql, url = f"sqlite:///{tmp_path}/chatd.db", mongo_url(mongo_server)
    a = await open_stores(make_config(tmp_path / "a", sql, storage={"messages": url}), run_migrations=False)
    b = await open_stores(make_config(tmp_path / "b", sql, storage={"messages": url}), run_migrations=False)
    try:
        yield a, b
    finally:
        COMMANDS.watch = None
        name = a.backends["messages"].db.name
        await a.close()
        await b.close()
        await drop_mongo_database(url, name)


async def _commands_of(stores, sends: list[Draft]) -> tuple[int, list]:
    """How many commands `sends`, made at once, cost in the messages database."""
    COMMANDS.seen.clear()
    COMMANDS.watch = stores.backends["messages"].db.name
    try:
        results = await asyncio.gather(*(stores.messages.append(d) for d in sends))
    finally:
        COMMANDS.watch = None
    return sum(COMMANDS.seen.values()), results


async def test_16_concurrent_sends_cost_about_what_one_costs(two):
    """Fails with batching off: each send would cost a transaction of its own
    (16 x one send's commands)."""
    stores, _ = two
    senders = [f"s{i}" for i in range(16)]
    await seed(stores, users=senders, conversations=[("c1", senders)])
    one, _ = await _commands_of(stores, [draft("warm", sender="s0")])
    sixteen, results = await _commands_of(stores, [draft(f"k{i}", sender=s) for i, s in enumerate(senders)])
    assert one >= 6  # reads, the seq, the insert, the read marker, the event
    assert sixteen <= 2 * one, (one, sixteen, COMMANDS.seen)
    assert [m.seq for m, _ in results] == list(range(2, 18))
    # each sender's own read marker moved to their message
    assert [(await stores.conversations.member("c1", s)).last_read_seq for s in senders] == list(range(2, 18))


async def test_one_batch_fails_only_its_bad_sends(two):
    stores, _ = two
    await seed(stores, users=("ann", "bob", "cy"),
               conversations=[("c1", ("ann", "bob")), ("c2", ("bob", "cy")), ("c3", ("ann", "cy")),
                              ("d1", ("ann", "cy")), ("e1", ("ann", "bob"))],
               direct={"d1"})
    await stores.conversations.update("e1", lambda conv, members: msgspec.structs.replace(conv, e2ee=True))
    await block(stores, "cy", "ann")
    await add_attachment(stores, "a1", "c1", "ann")
    await add_attachment(stores, "b1", "c1", "bob")
    before, _ = await stores.messages.append(draft("before"))
    env = Envelope(alg="a", sender_device="d", nonce="n", ciphertext="x")
    batch = [
        draft("k1"),
        draft("k2", cid="c2"),  # ann is no member of c2
        draft("k3", reply_to="nope"),
        draft("k4", attachments=["a1", "b1"]),  # b1 is bob's: a1's claim is undone
        draft("k5", attachments=["a1"]),  # so a1 is free for this one
        draft("k1"),  # the same send again, in the same batch
        draft("k1", cid="c3"),  # its client id, into another conversation
        draft("before"),  # a client id stored before the batch
        draft("k6", cid="d1"),  # cy blocked ann
        draft("k7", cid="e1"),  # not an envelope in an encrypted conversation
        Draft(conversation_id="e1", sender_id="bob", client_id="k8", kind="encrypted", envelope=env),
        draft("k9", sender="bob", reply_to=before.id),
        draft("k10", cid="missing"),
    ]
    backend = stores.backends["messages"]
    outcomes = await backend.write(lambda tx: append_batch(tx, stores.contacts, batch))
    first, created = outcomes[0]
    assert created and first.seq == 2
    assert isinstance(outcomes[1], NoConversation) and isinstance(outcomes[2], ReplyElsewhere)
    assert isinstance(outcomes[3], AttachmentsUnavailable)
    claimed, _ = outcomes[4]
    assert claimed.seq == 3 and claimed.attachments == ["a1"]
    assert outcomes[5] == (first, False)
    assert isinstance(outcomes[6], ClientIdInUse) and outcomes[6].first == first
    assert outcomes[7] == (before, False)
    assert isinstance(outcomes[8], PeerBlocked) and outcomes[8].by_sender is False
    assert isinstance(outcomes[9], EncryptionRequired)
    sealed, _ = outcomes[10]
    assert sealed.seq == 1 and sealed.conversation_id == "e1"
    reply, _ = outcomes[11]
    assert reply.seq == 4 and reply.reply_to == before.id
    assert isinstance(outcomes[12], NoConversation)
    assert [await last_seq(stores, c) for c in ("c1", "c2", "c3", "d1", "e1")] == [4, 0, 0, 0, 1]
    assert (await stores.attachments.get("a1")).attachment.message_id == claimed.id
    assert (await stores.attachments.get("b1")).attachment.message_id is None
    assert (await stores.conversations.member("c1", "ann")).last_read_seq == 3
    assert (await stores.conversations.member("c1", "bob")).last_read_seq == 4
    assert [(e[1], e[3]["seq"]) for e in await events(stores, "message.created")] == [
        ("c1", 1), ("c1", 2), ("c1", 3), ("e1", 1), ("c1", 4)]
    assert (await stores.messages.history("c1")).items == [before, first, claimed, reply]


async def test_refusals_in_a_concurrent_batch_get_their_own_errors(two):
    stores, _ = two
    await seed(stores, users=("ann", "bob", "cy"), conversations=[("c1", ("ann", "bob")), ("c2", ("bob", "cy"))])
    sends = [draft(f"k{i}") for i in range(10)] + [draft("x", cid="c2"), draft("y", reply_to="nope")]
    sends += [draft("k0"), draft("k1", cid="c2", sender="bob"), draft("k2", cid="c2")]
    results = await asyncio.gather(*(stores.messages.append(d) for d in sends), return_exceptions=True)
    assert [m.seq for m, _ in results[:10]] == list(range(1, 11))
    assert isinstance(results[10], NoConversation) and isinstance(results[11], ReplyElsewhere)
    assert results[12] == (results[0][0], False)
    assert results[13][0].seq == 1 and results[13][1]  # bob's own k1
    assert isinstance(results[14], NoConversation)
    assert await last_seq(stores) == 10 and await last_seq(stores, "c2") == 1
    assert len(await events(stores, "message.created")) == 11


@pytest.mark.parametrize("where", ["c1", "c2"])
async def test_a_client_id_another_process_stores_meanwhile_answers_its_message(two, where):
    """Process b stores ann's "k" while a's batch is between its reads and
    its insert: a's batch is written again (stopped by a write conflict on
    c1's head, or on "c2" by the unique index), sees b's message and answers
    with it; the other sends of the batch land once, without a seq gap."""
    a, b = two
    await seed(a, conversations=[("c1", ("ann", "bob")), ("c2", ("ann", "bob")), ("d1", ("ann", "bob"))],
               direct={"d1"})

    class StoreMeanwhile:  # the real contacts store, with b's send timed inside a's transaction
        def __init__(self, contacts):
            self.contacts, self.stored = contacts, []

        async def blockers_among(self, user_id, others):
            if not self.stored:
                self.stored.append(await b.messages.append(draft("k", cid=where)))
            return await self.contacts.blockers_among(user_id, others)

    contacts = StoreMeanwhile(a.contacts)
    batch = [draft("j1"), draft("d", cid="d1"), draft("k"), draft("j2")]
    backend = a.backends["messages"]
    outcomes = await backend.write(lambda tx: append_batch(tx, contacts, batch))
    theirs, _ = contacts.stored[0]
    if where == "c1":
        assert outcomes[2] == (theirs, False)
    else:
        assert isinstance(outcomes[2], ClientIdInUse) and outcomes[2].first == theirs
    mine = [o[0] for o in (outcomes[0], outcomes[3])]
    assert outcomes[1][0].seq == 1 and await last_seq(a, "d1") == 1
    assert [m.seq for m in mine] == ([2, 3] if where == "c1" else [1, 2])
    page = await a.messages.history("c1")
    assert page.items == ([theirs] if where == "c1" else []) + mine
    assert [e[3]["client_id"] for e in await events(a, "message.created")] == ["k", "j1", "d", "j2"]


async def test_repeats_across_batches_and_conversations_store_one_message(two):
    stores, _ = two
    await seed(stores, conversations=[("c1", ("ann", "bob")), ("c2", ("ann", "bob"))])
    first = await asyncio.gather(*(stores.messages.append(draft(f"k{i % 4}")) for i in range(12)))
    again = await asyncio.gather(*(stores.messages.append(draft(f"k{i % 4}", cid=f"c{1 + i % 2}"))
                                   for i in range(8)), return_exceptions=True)
    stored = {m.client_id: m for m, created in first if created}
    assert sorted(stored) == ["k0", "k1", "k2", "k3"] and sorted(m.seq for m in stored.values()) == [1, 2, 3, 4]
    assert all(m == stored[m.client_id] for m, _ in first)
    for i, result in enumerate(again):
        if i % 2 == 0:
            assert result == (stored[f"k{i % 4}"], False)
        else:
            assert isinstance(result, ClientIdInUse) and result.first == stored[f"k{i % 4}"]
    assert await last_seq(stores, "c1") == 4 and await last_seq(stores, "c2") == 0
    # A client id is the sender's own: bob's k0 is new, in a batch whose
    # lookup of stored client ids (senders and ids matched apart) finds ann's.
    (bobs, created), (new, _) = await asyncio.gather(stores.messages.append(draft("k0", sender="bob")),
                                                     stores.messages.append(draft("k9")))
    assert created and bobs.sender_id == "bob" and [bobs.seq, new.seq] == [5, 6]
    assert len(await events(stores, "message.created")) == 6


async def test_two_processes_interleave_without_gaps_and_sync_reads_in_order(two):
    """Each batch moves several conversations' heads (two_processes.py)."""
    await interleave(*two, users=4, conversations=3, rounds=4)


async def test_a_send_mongodb_refuses_fails_alone_in_its_batch(two):
    """Through the group writer: a document over MongoDB's 16 MiB makes the
    batch be written one send at a time; only that send fails, the others
    all land, gap-free."""
    stores, _ = two
    await seed(stores)
    sends = [draft(f"k{i}", body="x" * (17 << 20) if i == 3 else f"m{i}") for i in range(8)]
    results = await asyncio.gather(*(stores.messages.append(d) for d in sends), return_exceptions=True)
    # refused by the client (DocumentTooLarge) or by the server (10334, BSONObjectTooLarge)
    assert isinstance(results[3], DocumentTooLarge) or results[3].details["writeErrors"][0]["code"] == 10334
    stored = [r[0] for k, r in enumerate(results) if k != 3]
    assert [m.seq for m in stored] == list(range(1, 8))
    assert await last_seq(stores) == 7 and len(await events(stores, "message.created")) == 7
