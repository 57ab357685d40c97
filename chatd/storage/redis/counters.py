"""Counters and claims in Redis (port: storage/ports/counters.py), shared by
every process.

Hits are batched: every hit that arrives while one round trip is on its
way goes in the next one, a single EVALSHA over all their keys (INCR, and
EXPIRE on a key's first hit). One send is one hit, so at 1,000 sends/s
this is a few dozen round trips a second instead of 1,000 (one round trip
per hit cost ~1.3 ms of a busy 2-core machine and made a queue of sends).
Claims (typing) are rare and go one by one: SET NX PX."""

from __future__ import annotations

import asyncio
import time

from chatd.storage.redis.connection import LOST, RedisConnection, guarded, unavailable

BATCH = 500
# KEYS: counter keys. ARGV: their TTLs in seconds. Returns the counts.
_HIT = """
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  out[i] = n
end
return out
"""


class RedisCounterStore:
    def __init__(self, conn: RedisConnection):
        self.redis, self.prefix = conn.client, conn.prefix + "n:"
        self._hit = self.redis.register_script(_HIT)
        self._queue: list[tuple[str, int, asyncio.Future[int]]] = []
        self._flushing = False

    async def hit(self, key: str, window: int) -> int:
        start = int(time.time() // window) * window
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.append((f"{self.prefix}{key}:{start}", window + 1, future))
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[:BATCH], self._queue[BATCH:]
                try:
                    counts = await self._hit(keys=[k for k, _, _ in batch], args=[t for _, t, _ in batch])
                except LOST as err:
                    for _, _, future in batch:
                        if not future.done():
                            failed = unavailable(err)
                            failed.__cause__ = err
                            future.set_exception(failed)
                    continue
                except Exception as err:  # noqa: BLE001 - handed to every caller, never lost
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(err)
                    continue
                for (_, _, future), count in zip(batch, counts, strict=True):
                    if not future.done():
                        future.set_result(int(count))
        finally:
            self._flushing = False

    @guarded
    async def claim(self, key: str, ttl: float) -> bool:
        return bool(await self.redis.set(f"{self.prefix}c:{key}", b"1", nx=True, px=max(1, int(ttl * 1000))))

    @guarded
    async def release(self, key: str) -> None:
        await self.redis.delete(f"{self.prefix}c:{key}")
