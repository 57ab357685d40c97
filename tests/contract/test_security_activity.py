"""SecurityActivityStore contract on both SQL engines: events kept per
account, newest first, bounded; each one announced to its owner only, in
the sync log; known sign-in places remembered and bounded."""

from __future__ import annotations

from datetime import timedelta

from chatd import clock
from chatd.domain.security_event import SecurityEvent
from chatd.services.security_activity import ordered_id
from tests.contract.test_users import make


def event(kind: str = "password_changed", **fields) -> SecurityEvent:
    return SecurityEvent(id=ordered_id(), kind=kind, at=clock.now(), **fields)


async def test_events_come_back_newest_first_per_user_and_paged(stores):
    alice, bob = await make(stores, "alice"), await make(stores, "bob")
    store = stores.security_activity
    recorded = [event("token_created", detail=f"t{i}", device="Firefox on Linux", address="192.0.2.7")
                for i in range(5)]
    for e in recorded:
        assert await store.record(alice.id, e, keep=100) is True
    newest_first = list(reversed(recorded))
    assert await store.page(alice.id, None, 10) == newest_first
    assert await store.page(alice.id, None, 2) == newest_first[:2]
    assert await store.page(alice.id, newest_first[1].id, 2) == newest_first[2:4]
    assert await store.page(alice.id, newest_first[-1].id, 2) == []
    assert await store.page(bob.id, None, 10) == []  # alice's are hers only


async def test_only_the_newest_keep_events_stay(stores):
    alice, bob = await make(stores, "alice"), await make(stores, "bob")
    store = stores.security_activity
    await store.record(bob.id, event(), keep=3)
    recorded = [event(detail=str(i)) for i in range(7)]
    for e in recorded:
        await store.record(alice.id, e, keep=3)
    assert [e.detail for e in await store.page(alice.id, None, 100)] == ["6", "5", "4"]
    assert len(await store.page(bob.id, None, 100)) == 1  # another account's bound is its own


async def test_recording_announces_the_event_to_its_owner_only(stores):
    alice, bob = await make(stores, "alice"), await make(stores, "bob")
    head = (await stores.events.since(alice.id, 0, 1000)).next
    e = event("key_backup_set", device="Chrome on Android", address="2001:db8::1")
    await stores.security_activity.record(alice.id, e, keep=100)
    seen = [x for x in (await stores.events.since(alice.id, head, 1000)).events if x.type == "security.activity"]
    assert len(seen) == 1 and seen[0].payload["id"] == e.id and seen[0].payload["kind"] == "key_backup_set"
    assert seen[0].payload["address"] == "2001:db8::1" and seen[0].conversation_id is None
    assert not [x for x in (await stores.events.since(bob.id, 0, 1000)).events if x.type == "security.activity"]


async def test_an_unknown_user_gets_nothing_written(stores):
    assert await stores.security_activity.record("nobody", event(), keep=100) is False
    assert await stores.security_activity.page("nobody", None, 10) == []
    assert await stores.security_activity.seen_place("nobody", "p", clock.now(), keep=5) is False


async def test_places_are_new_once_and_the_oldest_are_forgotten(stores):
    alice, bob = await make(stores, "alice"), await make(stores, "bob")
    store = stores.security_activity
    t = clock.now()
    assert await store.seen_place(alice.id, "home", t, keep=2) is True
    assert await store.seen_place(alice.id, "home", t + timedelta(seconds=1), keep=2) is False
    assert await store.seen_place(bob.id, "home", t, keep=2) is True  # per account
    assert await store.seen_place(alice.id, "work", t + timedelta(seconds=2), keep=2) is True
    assert await store.seen_place(alice.id, "cafe", t + timedelta(seconds=3), keep=2) is True
    # Only the two most recently seen are kept: "home" (last seen at t+1) went.
    assert await store.seen_place(alice.id, "home", t + timedelta(seconds=4), keep=2) is True
    assert await store.seen_place(alice.id, "cafe", t + timedelta(seconds=5), keep=2) is False


async def test_a_users_rows_go_with_the_user(stores):
    from tests.sql_handle import sql_db

    alice = await make(stores, "alice")
    await stores.security_activity.record(alice.id, event(), keep=100)
    await stores.security_activity.seen_place(alice.id, "home", clock.now(), keep=5)
    db = sql_db(stores)

    async def rows(c):
        return (await c.fetchval("SELECT COUNT(*) FROM security_events WHERE user_id = $1", alice.id),
                await c.fetchval("SELECT COUNT(*) FROM sign_in_places WHERE user_id = $1", alice.id))

    assert await db.read(rows) == (1, 1)
    await db.write(lambda c: c.execute("DELETE FROM users WHERE id = $1", alice.id))
    assert await db.read(rows) == (0, 0)
