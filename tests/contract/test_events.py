"""EventStore contract on SQLite and PostgreSQL: who sees which event (now),
paging without gaps or repeats, bounded scans, retention by prefix.

SQL-only for now: it writes arbitrary events (and ages them) straight into
the log, which no port offers."""

from __future__ import annotations

from datetime import timedelta

from chatd import clock
from chatd.storage.sql.db import to_sqlite
from chatd.storage.sql.events import VISIBLE, append_event
from tests.sql_handle import sql_db


async def seed(stores, members: dict[str, list[str]]) -> None:
    users = sorted({u for us in members.values() for u in us} | {"ann", "bob", "cid"})

    async def run(c):
        for u in users:
            await c.execute(
                "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)"
                " VALUES ($1, $1, $1, 'x', 0, 0)",
                u,
            )
        for conv, us in members.items():
            await c.execute(
                "INSERT INTO conversations (id, kind, created_by, created_at, updated_at)"
                " VALUES ($1, 'group', $2, 0, 0)",
                conv,
                us[0],
            )
            for u in us:
                await add_member_in(c, conv, u)

    await sql_db(stores).write(run)


async def add_member_in(c, conv: str, user: str) -> None:
    await c.execute(
        "INSERT INTO members (conversation_id, user_id, role, joined_at) VALUES ($1, $2, 'member', 0)", conv, user
    )


async def emit(stores, type: str, *, conversation_id=None, user_id=None, n: int = 1) -> list[int]:
    async def run(c):
        for i in range(n):
            await append_event(c, type, {"i": i}, conversation_id=conversation_id, user_id=user_id)

    await sql_db(stores).write(run)
    # The seqs just written (PostgreSQL assigns them only at commit).
    rows = await sql_db(stores).read(lambda c: c.fetch("SELECT seq FROM events ORDER BY seq DESC LIMIT $1", n))
    return sorted(r["seq"] for r in rows)


async def seqs(stores, user: str, after: int = 0, limit: int = 1000) -> list[int]:
    page = await stores.events.since(user, after, limit)
    return [e.seq for e in page.events]


async def test_empty_log(stores):
    assert await stores.events.oldest() == 0
    assert await stores.events.latest() == 0
    page = await stores.events.since("ann", 0, 10)
    assert page.events == [] and page.next == 0 and page.more is False


async def test_members_see_conversation_events_and_only_their_own_personal_ones(stores):
    await seed(stores, {"c1": ["ann", "bob"], "c2": ["bob", "cid"]})
    c1 = await emit(stores, "message.created", conversation_id="c1")
    c2 = await emit(stores, "message.created", conversation_id="c2")
    mine = await emit(stores, "user.updated", user_id="ann")
    bobs = await emit(stores, "user.updated", user_id="bob")
    # A per-user event about a conversation is still only for its addressee.
    left = await emit(stores, "member.left", conversation_id="c2", user_id="cid")

    assert await seqs(stores, "ann") == c1 + mine
    assert await seqs(stores, "bob") == c1 + c2 + bobs
    assert await seqs(stores, "cid") == c2 + left
    page = await stores.events.since("ann", 0, 10)
    first = page.events[0]
    assert first.type == "message.created" and first.conversation_id == "c1" and first.payload == {"i": 0}
    assert first.created_at is not None


async def test_visibility_follows_membership_now(stores):
    await seed(stores, {"c1": ["ann", "bob"]})
    before = await emit(stores, "message.created", conversation_id="c1", n=2)
    await sql_db(stores).write(lambda c: c.execute("DELETE FROM members WHERE conversation_id = 'c1' AND user_id = 'bob'"))
    assert await seqs(stores, "bob") == []  # removed: the conversation's log is closed to him
    after = await emit(stores, "message.created", conversation_id="c1")
    assert await seqs(stores, "cid") == []
    await sql_db(stores).write(lambda c: add_member_in(c, "c1", "cid"))
    assert await seqs(stores, "cid") == before + after  # joined: its log is open to her


async def test_pages_cover_everything_once_in_order(stores):
    await seed(stores, {"c1": ["ann", "bob"], "c2": ["cid"]})
    expected = []
    for _ in range(5):
        expected += await emit(stores, "message.created", conversation_id="c1", n=7)
        await emit(stores, "message.created", conversation_id="c2", n=3)
        expected += await emit(stores, "contact.updated", user_id="ann", n=2)
    got, cursor, pages = [], 0, 0
    while True:
        page = await stores.events.since("ann", cursor, 4)
        got += [e.seq for e in page.events]
        assert page.next >= cursor
        cursor = page.next
        pages += 1
        if not page.more:
            break
    assert got == expected
    assert cursor == await stores.events.latest()  # caught up: the cursor is the head
    assert pages >= len(expected) // 4


async def test_a_full_page_says_more_and_resumes_after_its_last_event(stores):
    await seed(stores, {"c1": ["ann"]})
    s = await emit(stores, "message.created", conversation_id="c1", n=3)
    page = await stores.events.since("ann", 0, 3)
    assert [e.seq for e in page.events] == s and page.next == s[-1] and page.more is True
    page = await stores.events.since("ann", s[-1], 3)
    assert page.events == [] and page.next == s[-1] and page.more is False


async def test_a_scan_is_bounded_but_always_makes_progress(stores):
    await seed(stores, {"c1": ["ann"], "c2": ["bob"]})
    others = await emit(stores, "message.created", conversation_id="c2", n=30)
    mine = await emit(stores, "message.created", conversation_id="c1")
    page = await stores.events.since("ann", 0, 100, window=10)
    assert page.events == [] and page.next == others[9] and page.more is True
    cursor, got = 0, []
    while True:
        page = await stores.events.since("ann", cursor, 100, window=10)
        got += [e.seq for e in page.events]
        cursor = page.next
        if not page.more:
            break
    assert got == mine and cursor == mine[-1]


async def test_between_returns_every_audience_with_its_addressee(stores):
    await seed(stores, {"c1": ["ann"]})
    a = await emit(stores, "message.created", conversation_id="c1")
    b = await emit(stores, "user.updated", user_id="bob")
    c = await emit(stores, "member.left", conversation_id="c1", user_id="ann")
    notes = await stores.events.between(0, c[0], 10)
    assert [(n.event.seq, n.user_id) for n in notes] == [(a[0], None), (b[0], "bob"), (c[0], "ann")]
    assert [n.event.seq for n in await stores.events.between(a[0], b[0], 10)] == b
    assert len(await stores.events.between(0, c[0], 2)) == 2


async def test_prune_drops_an_old_prefix_but_never_the_newest_event(stores):
    await seed(stores, {"c1": ["ann"]})
    old = await emit(stores, "message.created", conversation_id="c1", n=4)
    assert await stores.events.prune(clock.now() - timedelta(days=1)) == 0
    assert await stores.events.oldest() == old[0]
    # Everything is older than "tomorrow", yet the newest event stays: the
    # log's head (and so the validity of cursors) survives any retention.
    assert await stores.events.prune(clock.now() + timedelta(days=1)) == 3
    assert await stores.events.oldest() == old[-1] == await stores.events.latest()
    assert await seqs(stores, "ann") == old[-1:]
    new = await emit(stores, "message.created", conversation_id="c1", n=2)
    assert await stores.events.latest() == new[-1]


async def test_prune_stops_at_the_first_event_it_must_keep(stores):
    await seed(stores, {"c1": ["ann"]})
    s = await emit(stores, "message.created", conversation_id="c1", n=5)
    now = clock.to_ms(clock.now())
    # A clock that went backwards: seq 3 looks older than seq 2.
    ages = {s[0]: now - 10_000, s[1]: now, s[2]: now - 10_000, s[3]: now - 10_000}
    for seq, at in ages.items():
        await sql_db(stores).write(lambda c, seq=seq, at=at: c.execute("UPDATE events SET created_at = $2 WHERE seq = $1", seq, at))
    assert await stores.events.prune(clock.from_ms(now - 5_000)) == 1
    assert await stores.events.oldest() == s[1]
    assert await seqs(stores, "ann") == s[1:]


async def test_prune_works_through_many_batches(stores, monkeypatch):
    from chatd.storage.sql import events as sql_events

    monkeypatch.setattr(sql_events, "PRUNE_BATCH", 3)
    await seed(stores, {"c1": ["ann"]})
    s = await emit(stores, "message.created", conversation_id="c1", n=11)
    assert await stores.events.prune(clock.now() + timedelta(seconds=5)) == 10
    assert await stores.events.oldest() == s[-1]


async def test_the_sync_query_reads_the_log_through_events_user_and_no_other_index_is_kept(stores):
    # Every event's commit pays for each index on the log: only the one the
    # sync query reads is kept (events_conversation was dropped, unread).
    db = sql_db(stores)
    if db.dialect == "sqlite":
        names = await db.read(lambda c: c.fetch(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"))
        assert sorted(r["name"] for r in names) == ["events_user"]
        plan = await db.read(lambda c: c.fetch("EXPLAIN QUERY PLAN " + to_sqlite(VISIBLE), "ann", 0, 5000, 100))
        reads = [r["detail"] for r in plan if r["detail"].startswith(("SEARCH e ", "SCAN e"))]
        # Both branches (addressed to the reader; conversation-wide, user_id NULL) search the index.
        assert reads == ["SEARCH e USING INDEX events_user (user_id=? AND seq>? AND seq<?)"] * 2, plan
    else:
        names = await db.read(lambda c: c.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'events'"))
        assert sorted(r["indexname"] for r in names) == ["events_pkey", "events_user"]
