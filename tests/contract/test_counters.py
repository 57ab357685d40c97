"""CounterStore contract (storage/ports/counters.py): memory and a real Redis."""

from __future__ import annotations

import asyncio

import pytest

from chatd.storage.memory import counters as memory_counters
from chatd.storage.memory.counters import MemoryCounterStore


@pytest.fixture(params=["memory", "redis"])
def counters(request):
    if request.param == "memory":
        return MemoryCounterStore()
    from chatd.storage.redis.counters import RedisCounterStore

    return RedisCounterStore(request.getfixturevalue("redis_conn"))


async def test_hits_count_per_key_within_a_window(counters):
    assert [await counters.hit("send:ann", 60) for _ in range(3)] == [1, 2, 3]
    assert await counters.hit("send:bob", 60) == 1  # each key its own count


async def test_a_new_window_starts_from_one(counters):
    assert await counters.hit("k", 1) == 1
    assert await counters.hit("k", 1) == 2
    await asyncio.sleep(1.05)
    assert await counters.hit("k", 1) == 1


async def test_concurrent_hits_are_all_counted(counters):
    got = await asyncio.gather(*[counters.hit("burst", 60) for _ in range(50)])
    assert sorted(got) == list(range(1, 51))


async def test_a_claim_holds_for_its_ttl_then_frees(counters):
    assert await counters.claim("typing:c:ann", 0.3) is True
    assert await counters.claim("typing:c:ann", 0.3) is False
    assert await counters.claim("typing:c:bob", 0.3) is True  # another key
    await asyncio.sleep(0.35)
    assert await counters.claim("typing:c:ann", 0.3) is True


async def test_a_released_claim_is_free_at_once(counters):
    assert await counters.claim("export-running:ann", 60) is True
    assert await counters.claim("export-running:ann", 60) is False
    await counters.release("export-running:ann")
    assert await counters.claim("export-running:ann", 60) is True
    await counters.release("never-claimed")  # nothing to end: no error


async def test_two_processes_share_one_count(redis_conn):
    """Redis only: two stores (two processes) on one Redis count together."""
    from chatd.storage.redis.connection import RedisConnection
    from chatd.storage.redis.counters import RedisCounterStore

    conn = redis_conn
    other = RedisConnection(conn.url, conn.prefix)
    try:
        a, b = RedisCounterStore(conn), RedisCounterStore(other)
        assert [await a.hit("send:ann", 60), await b.hit("send:ann", 60), await a.hit("send:ann", 60)] == [1, 2, 3]
        assert await a.claim("t", 5) is True and await b.claim("t", 5) is False
    finally:
        await other.close()


async def test_memory_keys_are_swept_not_kept_forever(monkeypatch):
    monkeypatch.setattr(memory_counters, "PRUNE_AT", 10)
    counters = MemoryCounterStore()
    for i in range(10):
        await counters.claim(f"k{i}", 0.01)
    await asyncio.sleep(0.02)
    await counters.claim("new", 1)
    assert list(counters._claims) == ["new"]
