"""Counters and claims in Redis (port: storage/ports/counters.py), shared by
every process: INCR + EXPIRE in one round trip, SET NX PX for claims."""

from __future__ import annotations

import time

from chatd.storage.redis.connection import RedisConnection, guarded


class RedisCounterStore:
    def __init__(self, conn: RedisConnection):
        self.redis, self.prefix = conn.client, conn.prefix + "n:"

    @guarded
    async def hit(self, key: str, window: int) -> int:
        start = int(time.time() // window) * window
        name = f"{self.prefix}{key}:{start}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window + 1)
            count, _ = await pipe.execute()
        return int(count)

    @guarded
    async def claim(self, key: str, ttl: float) -> bool:
        return bool(await self.redis.set(f"{self.prefix}c:{key}", b"1", nx=True, px=max(1, int(ttl * 1000))))
