"""MembershipCache contract (storage/ports/member_cache.py): memory (no
cache, always the database) and Redis (shared, invalidated by committed
member events, never caching over a change that committed mid-read)."""

from __future__ import annotations

import asyncio

import pytest

from chatd.domain import Event
from chatd.storage.memory.member_cache import NoMembershipCache
from chatd.storage.ports.events import EventNote


def member_event(kind: str, user_id: str, conv: str = "c1", seq: int = 1) -> list[EventNote]:
    event = Event(seq=seq, type=kind, conversation_id=conv, payload={"user_id": user_id, "conversation_id": conv},
                  created_at="2026-12-06T00:00:00Z")
    return [EventNote(event=event)]


class Db:
    """The database as the cache sees it: a load function that counts calls."""

    def __init__(self, ids: list[str]):
        self.ids, self.reads = ids, 0

    async def load(self) -> list[str]:
        self.reads += 1
        return list(self.ids)


@pytest.fixture(params=["memory", "redis"])
def cache(request):
    if request.param == "memory":
        return NoMembershipCache()
    from chatd.storage.redis.member_cache import RedisMembershipCache

    return RedisMembershipCache(request.getfixturevalue("redis_conn"))


async def settle_bumps(cache) -> None:
    await asyncio.gather(*getattr(cache, "_pending", ()))


async def test_answers_what_the_database_says_and_a_change_is_seen(cache):
    db = Db(["c1", "c2"])
    assert await cache.conversations_of("ann", db.load) == ["c1", "c2"]
    assert await cache.conversations_of("ann", db.load) == ["c1", "c2"]
    db.ids = ["c2"]  # ann left c1 ...
    cache.changed(member_event("member.left", "ann"))  # ... and it committed
    await settle_bumps(cache)
    assert await cache.conversations_of("ann", db.load) == ["c2"]


async def test_other_events_and_other_users_keep_the_entry(redis_conn):
    from chatd.storage.redis.member_cache import RedisMembershipCache

    cache = RedisMembershipCache(redis_conn)
    db = Db(["c1"])
    await cache.conversations_of("ann", db.load)
    cache.changed(member_event("member.joined", "bob"))
    cache.changed([EventNote(event=Event(seq=2, type="message.created", conversation_id="c1", payload={},
                                         created_at="2026-12-06T00:00:00Z"))])
    await settle_bumps(cache)
    assert await cache.conversations_of("ann", db.load) == ["c1"]
    assert db.reads == 1  # a hit


async def test_a_change_committed_during_the_read_is_never_cached_over(redis_conn):
    from chatd.storage.redis.member_cache import RedisMembershipCache

    cache = RedisMembershipCache(redis_conn)
    db = Db(["c1"])

    async def slow_stale_read() -> list[str]:
        ids = await db.load()  # read before the removal commits ...
        db.ids = []
        cache.changed(member_event("member.left", "ann"))  # ... which then commits
        await settle_bumps(cache)
        return ids

    assert await cache.conversations_of("ann", slow_stale_read) == ["c1"]  # that read's answer, once
    assert await cache.conversations_of("ann", db.load) == []  # not the stale one from the cache


async def test_an_invalidation_from_another_process_is_seen(redis_conn):
    from chatd.storage.redis.connection import RedisConnection
    from chatd.storage.redis.member_cache import RedisMembershipCache

    other_conn = RedisConnection(redis_conn.url, redis_conn.prefix)
    try:
        here, there = RedisMembershipCache(redis_conn), RedisMembershipCache(other_conn)
        db = Db(["c1"])
        assert await here.conversations_of("ann", db.load) == ["c1"]
        db.ids = []
        there.changed(member_event("member.left", "ann"))
        await settle_bumps(there)
        assert await here.conversations_of("ann", db.load) == []
    finally:
        await other_conn.close()
