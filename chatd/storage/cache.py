"""The ephemeral stores, chosen from storage.cache in this one place:
presence, counters (send limits, typing), Litestar's key-value Store (login
limits), the fan-out carrier between processes and the membership cache.

"memory" keeps them in this process (one process). A redis:// URL puts
them in Redis for every process of the deployment; redis is imported only
then, so the default start-up and memory stay as they were."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar.stores.base import Store

from chatd.config import Config
from chatd.storage.ports.counters import CounterStore
from chatd.storage.ports.fanout import Fanout
from chatd.storage.ports.member_cache import MembershipCache
from chatd.storage.ports.presence import PresenceStore


@dataclass
class Ephemeral:
    store: Store
    counters: CounterStore
    presence: PresenceStore
    fanout: Fanout
    member_cache: MembershipCache
    backend: Any | None  # the Redis connection (a stores Backend), None for memory


def open_memory() -> Ephemeral:
    from litestar.stores.memory import MemoryStore

    from chatd.storage.memory.counters import MemoryCounterStore
    from chatd.storage.memory.fanout import MemoryFanout
    from chatd.storage.memory.member_cache import NoMembershipCache
    from chatd.storage.memory.presence import MemoryPresenceStore

    return Ephemeral(MemoryStore(), MemoryCounterStore(), MemoryPresenceStore(), MemoryFanout(), NoMembershipCache(),
                     None)


async def open_redis(url: str, process_ttl: float, prefix: str = "chatd:",
                     url_now: Callable[[], str] | None = None) -> Ephemeral:
    from chatd.storage.redis.connection import RedisConnection
    from chatd.storage.redis.counters import RedisCounterStore
    from chatd.storage.redis.fanout import RedisFanout
    from chatd.storage.redis.member_cache import RedisMembershipCache
    from chatd.storage.redis.presence import RedisPresenceStore
    from chatd.storage.redis.store import GuardedRedisStore

    conn = RedisConnection(url, prefix, url_now)
    try:
        await conn.start()
    except BaseException:
        await conn.close()
        raise
    return Ephemeral(GuardedRedisStore(conn), RedisCounterStore(conn), RedisPresenceStore(conn, process_ttl),
                     RedisFanout(conn), RedisMembershipCache(conn), conn)


async def open_cache(config: Config) -> Ephemeral:
    if config.storage.cache == "memory":
        return open_memory()
    from chatd.live_secret import live_url

    return await open_redis(config.storage.cache, config.realtime.process_ttl_seconds,
                            url_now=live_url(config, "storage.cache"))
