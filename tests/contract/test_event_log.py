"""EventStore contract on every adapter of the conversation side, seeded
and read through the ports only (test_events.py adds SQL-only cases that
write arbitrary events): who sees what now, pages without gaps or repeats,
bounded scans, retention by prefix, and exactly-once reading while many
writers commit at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from chatd import clock
from tests.contract.log_reader import read_log
from tests.contract.test_messages import draft, leave, seed


@pytest.fixture
def stores(message_stores):
    return message_stores


async def send(stores, cid: str, sender: str, n: int = 1) -> list[int]:
    """Send n messages; the log seqs of their message.created events."""
    out = []
    for _ in range(n):
        before = await stores.events.latest()
        m, _ = await stores.messages.append(draft(f"{cid}-{sender}-{before}-{len(out)}", cid=cid, sender=sender))
        notes = await stores.events.between(before, await stores.events.latest(), 100)
        out += [x.event.seq for x in notes if x.event.type == "message.created" and x.event.payload["id"] == m.id]
    return out


async def seqs(stores, user: str, after: int = 0, limit: int = 1000, **kw) -> list[int]:
    return [e.seq for e in (await stores.events.since(user, after, limit, **kw)).events]


async def test_empty_log(stores):
    assert await stores.events.oldest() == 0 and await stores.events.latest() == 0
    page = await stores.events.since("ann", 0, 10)
    assert page.events == [] and page.next == 0 and page.more is False


async def test_visibility_follows_membership_now(stores):
    await seed(stores, users=("ann", "bob", "cid"), conversations=[("c1", ("ann", "bob")), ("c2", ("bob", "cid"))])
    head = await stores.events.latest()
    c1 = await send(stores, "c1", "ann", 2)
    c2 = await send(stores, "c2", "cid")
    assert (await seqs(stores, "ann", head)) == c1
    assert (await seqs(stores, "bob", head)) == c1 + c2
    await leave(stores, "c2", "cid")
    left = [n for n in await stores.events.between(head, await stores.events.latest(), 100) if n.user_id == "cid"]
    assert [n.event.type for n in left] == ["member.left"]
    # Removed: c2's log is closed to her, except the copy addressed to her.
    assert await seqs(stores, "cid", head) == [left[0].event.seq]
    assert await seqs(stores, "ann", head) == c1  # never sees another's personal event


async def test_pages_cover_everything_once_in_order(stores):
    await seed(stores, users=("ann", "bob", "cid"), conversations=[("c1", ("ann", "bob")), ("c2", ("cid",))])
    start = await stores.events.latest()
    expected = []
    for _ in range(4):
        expected += await send(stores, "c1", "bob", 5)
        await send(stores, "c2", "cid", 3)
    got, cursor = [], start
    while True:
        page = await stores.events.since("ann", cursor, 4)
        got += [e.seq for e in page.events]
        assert page.next >= cursor
        cursor = page.next
        if not page.more:
            break
    assert got == expected and cursor == await stores.events.latest()


async def test_a_scan_is_bounded_but_always_makes_progress(stores):
    await seed(stores, users=("ann", "bob"), conversations=[("c1", ("ann",)), ("c2", ("bob",))])
    start = await stores.events.latest()
    others = await send(stores, "c2", "bob", 12)
    mine = await send(stores, "c1", "ann")
    page = await stores.events.since("ann", start, 100, window=5)
    assert page.events == [] and page.next == start + 5 and page.more is True
    cursor, got = start, []
    while True:
        page = await stores.events.since("ann", cursor, 100, window=5)
        got += [e.seq for e in page.events]
        cursor = page.next
        if not page.more:
            break
    assert got == mine and cursor == mine[-1] and others[-1] < mine[0]


async def test_prune_drops_an_old_prefix_but_never_the_newest_event(stores, monkeypatch):
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() - timedelta(days=3))
    await seed(stores, users=("ann",), conversations=[("c1", ("ann",))])
    old = await send(stores, "c1", "ann", 3)
    monkeypatch.setattr(clock, "now", real_now)
    new = await send(stores, "c1", "ann", 2)
    assert await stores.events.prune(clock.now() - timedelta(days=1)) == old[-1]  # the seed's events and `old`
    assert await stores.events.oldest() == new[0]
    assert await seqs(stores, "ann") == new
    assert await stores.events.prune(clock.now() + timedelta(days=1)) == 1  # all but the newest
    assert await stores.events.oldest() == new[-1] == await stores.events.latest()


async def test_a_reader_during_concurrent_writes_gets_every_event_once(stores):
    senders = [f"s{i}" for i in range(6)]
    await seed(stores, users=senders, conversations=[("c1", senders), ("c2", senders)])
    start = await stores.events.latest()
    got: list[int] = []
    done = asyncio.Event()

    def read():
        return read_log(stores.events, "s0", start, 7, done, got)

    async def write() -> None:
        await asyncio.gather(*(stores.messages.append(draft(f"{s}-{i}", cid=f"c{1 + i % 2}", sender=s))
                               for s in senders for i in range(10)))
        done.set()

    await asyncio.gather(read(), write())
    assert got == sorted(set(got)) and len(got) == 60
    assert got == [n.event.seq for n in await stores.events.between(start, await stores.events.latest(), 1000)]
