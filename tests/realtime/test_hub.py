"""The hub on both engines, without sockets: committed events reach an
outbox in seq order, once, even when commit hand-offs run out of order
(PostgreSQL) or never run (a write from another process)."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from chatd.realtime.bus import Bus
from chatd.realtime.hub import Hub
from chatd.realtime.outbox import Outbox
from chatd.storage.sql.events import append_event
from tests.sql_handle import sql_db

# Runs on both engines through `stores`, whatever the backend pass.
pytestmark = pytest.mark.one_backend


@pytest.fixture
async def hub(stores):
    bus = Bus(stores.fanout)
    hub = Hub(stores.events)
    hub.sequencer.gap_wait, hub.sequencer.poll_every = 0.05, 0.2
    await hub.start()
    await stores.fanout.start(hub.hear, lambda up: None)
    hub.stop_listening = stores.committed.listen(bus.publish_commit)
    hub.bus = bus
    yield hub
    hub.stop_listening()
    await hub.stop()
    await stores.fanout.close()


def listen(hub: Hub, user_id: str, conversations: list[str] = ()) -> Outbox:
    view, _ = hub.memberships.attach(user_id)
    hub.memberships.seed(user_id, view, conversations)
    outbox = Outbox(lambda text: asyncio.sleep(0), 100_000, lambda c: hub.memberships.is_member(user_id, c))
    outbox.go_live(0)
    hub.add(user_id, outbox)
    return outbox


def seqs(outbox: Outbox) -> list[int]:
    return [seq for seq, _, _ in outbox.items]


async def settle(outbox: Outbox, count: int, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while len(outbox.items) < count:
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # and nothing more arrives


async def write_note(stores, user: str) -> None:
    await sql_db(stores).write(lambda c: append_event(c, "user.updated", {"n": 1}, user_id=user))


async def note(stores, user: str) -> int:
    """Write one event and return its seq (the newest: callers write one at a time)."""
    await write_note(stores, user)
    return await sql_db(stores).read(lambda c: c.fetchval("SELECT max(seq) FROM events"))


async def test_concurrent_commits_arrive_in_seq_order_once(stores, hub):
    ann = listen(hub, "ann")
    await asyncio.gather(*[write_note(stores, "ann") for _ in range(60)])
    written = await sql_db(stores).read(lambda c: c.fetch("SELECT seq FROM events WHERE user_id = 'ann' ORDER BY seq"))
    assert len(written) == 60
    await settle(ann, 60)
    assert seqs(ann) == [r["seq"] for r in written]


async def test_an_event_whose_callback_never_ran_is_read_from_the_log(stores, hub):
    ann = listen(hub, "ann")
    first = await note(stores, "ann")
    hub.stop_listening()
    lost = await note(stores, "ann")  # as if committed by another process
    hub.stop_listening = stores.committed.listen(hub.bus.publish_commit)
    after = await note(stores, "ann")
    await settle(ann, 3)
    assert seqs(ann) == [first, lost, after]


async def test_a_write_from_elsewhere_shows_up_without_further_traffic(stores, hub):
    ann = listen(hub, "ann")
    hub.stop_listening()
    lone = await note(stores, "ann")
    await settle(ann, 1)
    assert seqs(ann) == [lone]


async def test_conversation_events_follow_membership_in_stream_order(stores, hub):
    async def seed(c):
        for u in ("ann", "bob"):
            await c.execute("INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)"
                            " VALUES ($1, $1, $1, 'x', 0, 0)", u)
        await c.execute("INSERT INTO conversations (id, kind, created_by, created_at, updated_at)"
                        " VALUES ('c1', 'group', 'ann', 0, 0)")

    await sql_db(stores).write(seed)
    bob = listen(hub, "bob", ["c1"])

    async def events(c):
        member = {"conversation_id": "c1", "user_id": "bob", "joined_at": "2026-01-01T00:00:00Z"}
        await append_event(c, "message.created", {"n": 1}, conversation_id="c1")
        await append_event(c, "member.left", member, conversation_id="c1")
        await append_event(c, "member.left", member, conversation_id="c1", user_id="bob")
        await append_event(c, "message.created", {"n": 2}, conversation_id="c1")
        await append_event(c, "member.joined", member, conversation_id="c1")
        await append_event(c, "message.created", {"n": 3}, conversation_id="c1")

    await sql_db(stores).write(events)
    await settle(bob, 4)
    frames = [msgspec.json.decode(text) for _, _, text in bob.items]
    assert [(f["type"], f["payload"].get("n")) for f in frames] == [
        ("message.created", 1), ("member.left", None), ("member.joined", None), ("message.created", 3)]
