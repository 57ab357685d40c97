"""PresenceStore contract (memory and a real Redis), the Redis leases of
processes that die, and the users row's last_seen_at that presence writes,
on both SQL engines."""

from __future__ import annotations

from datetime import timedelta

import asyncio

import pytest

from chatd import clock
from chatd.storage.memory.presence import MemoryPresenceStore
from tests.sql_handle import sql_db


@pytest.fixture(params=["memory", "redis"])
def presence(request):
    """A store whose process lease is renewed by each test first (port: renew)."""
    if request.param == "memory":
        return MemoryPresenceStore()
    from chatd.storage.redis.presence import RedisPresenceStore

    return RedisPresenceStore(request.getfixturevalue("redis_conn"), process_ttl=30)


async def test_state_follows_the_sockets(presence):
    await presence.renew()
    assert await presence.current("ann") == "offline"
    assert await presence.set_socket("ann", "s1", "online") == "online"
    assert await presence.set_socket("ann", "s2", "away") == "online"  # any online socket wins
    assert await presence.set_socket("ann", "s1", "away") == "away"  # all away
    assert await presence.drop_socket("ann", "s1") == "away"
    assert await presence.drop_socket("ann", "s2") == "offline"
    assert await presence.drop_socket("ann", "never") == "offline"
    assert await presence.current("bob") == "offline"


async def test_announced_state_is_kept_apart_and_changes_only_once(presence):
    await presence.renew()
    assert await presence.announced(["ann", "bob"]) == {"ann": "offline", "bob": "offline"}
    assert await presence.announce("ann", "online") is True
    assert await presence.announce("ann", "online") is False
    await presence.set_socket("ann", "s1", "online")
    await presence.drop_socket("ann", "s1")
    # Sockets gone, but nothing announced yet: others still see online (the grace period).
    assert await presence.announced(["ann"]) == {"ann": "online"}
    assert await presence.announce("ann", "offline") is True
    assert await presence.announced(["ann"]) == {"ann": "offline"}
    assert await presence.announce("ann", "offline") is False


async def test_last_seen_is_stored_and_never_moves_back(stores):
    await sql_db(stores).write(lambda c: c.execute(
        "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)"
        " VALUES ('ann', 'ann', 'Ann', 'x', 0, 0)"))
    before = await stores.users.get("ann")
    at = clock.now()
    await stores.users.set_last_seen("ann", at)
    await stores.users.set_last_seen("ann", at - timedelta(minutes=5))
    user = await stores.users.get("ann")
    assert user.last_seen_at == at
    assert user.version == before.version and user.updated_at == before.updated_at
    await stores.users.set_last_seen("nobody", at)  # an unknown user is no error


async def test_renew_and_expired_are_harmless_alone(presence):
    await presence.renew()
    assert await presence.expired() == []


async def test_a_dead_process_s_sockets_expire_and_one_sweeper_names_its_users(redis_conn):
    from chatd.storage.redis.connection import RedisConnection
    from chatd.storage.redis.presence import RedisPresenceStore

    conns = [RedisConnection(redis_conn.url, redis_conn.prefix) for _ in range(2)]
    try:
        dying = RedisPresenceStore(conns[0], process_ttl=0.3)
        alive = RedisPresenceStore(redis_conn, process_ttl=30)
        other = RedisPresenceStore(conns[1], process_ttl=30)
        for store in (dying, alive, other):
            await store.renew()
        await dying.set_socket("ann", "a1", "online")
        await alive.set_socket("ann", "a2", "away")
        await dying.set_socket("bob", "b1", "online")
        assert await alive.current("ann") == "online"  # the dying process's socket counts while its lease lives
        assert await alive.expired() == [] and await other.expired() == []
        await asyncio.sleep(0.4)  # the dying process stopped renewing: its lease ran out
        assert await alive.current("ann") == "away"  # its sockets no longer count, even before the sweep
        assert await alive.current("bob") == "offline"
        swept = await alive.expired() + await other.expired()
        assert sorted(swept) == ["ann", "bob"]  # named once, by one of the two
        assert await alive.expired() == [] and await other.expired() == []
        assert await alive.drop_socket("ann", "a2") == "offline"
    finally:
        for conn in conns:
            await conn.close()


async def test_a_socket_from_another_live_process_counts(redis_conn):
    from chatd.storage.redis.connection import RedisConnection
    from chatd.storage.redis.presence import RedisPresenceStore

    conn = RedisConnection(redis_conn.url, redis_conn.prefix)
    try:
        a, b = RedisPresenceStore(redis_conn, 30), RedisPresenceStore(conn, 30)
        await a.renew()
        await b.renew()
        assert await a.set_socket("ann", "s1", "away") == "away"
        assert await b.set_socket("ann", "s2", "online") == "online"
        assert await a.drop_socket("ann", "s1") == "online"
        assert await a.announce("ann", "online") is True and await b.announce("ann", "online") is False
        assert await b.announced(["ann"]) == {"ann": "online"}
    finally:
        await conn.close()
