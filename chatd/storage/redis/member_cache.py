"""The membership cache in Redis (port: storage/ports/member_cache.py).

Keys under "<prefix>mc:": g:<user> the user's generation, v:<user>
"<epoch>.<generation>|<json ids>" (PX TTL), epoch (bumped when an
invalidation could not be made, so every entry goes). A read takes the
generation with the entry in one MGET; a fill stores only if epoch and
generation are unchanged (a Lua compare-and-set), so a removal that
commits while the database is read is never cached over. The TTL bounds
what any missed invalidation could leave behind."""

from __future__ import annotations

import asyncio
import logging

import msgspec

from chatd.storage.ports.events import EventNote
from chatd.storage.ports.member_cache import Load
from chatd.storage.redis.connection import LOST, RedisConnection

log = logging.getLogger("chatd.storage")

TTL_MS = 60_000
GEN_TTL = 86_400
MEMBER_EVENTS = ("member.joined", "member.left")
# KEYS: epoch, g:<user>, v:<user>. ARGV: stamp read, value, ttl ms.
_PUT = """
local stamp = (redis.call('GET', KEYS[1]) or '0') .. '.' .. (redis.call('GET', KEYS[2]) or '0')
if stamp ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[3], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
return 1
"""


class RedisMembershipCache:
    def __init__(self, conn: RedisConnection):
        self.redis, self.prefix = conn.client, conn.prefix + "mc:"
        self._put = self.redis.register_script(_PUT)
        self._pending: set[asyncio.Task[None]] = set()
        self._lost = False  # an invalidation failed: bump the epoch once Redis answers

    async def conversations_of(self, user_id: str, load: Load) -> list[str]:
        keys = [f"{self.prefix}epoch", f"{self.prefix}g:{user_id}", f"{self.prefix}v:{user_id}"]
        try:
            epoch, gen, value = await self.redis.mget(keys)
        except LOST:
            return await load()
        stamp = f"{(epoch or b'0').decode()}.{(gen or b'0').decode()}"
        if value is not None and not self._lost:
            held, _, ids = value.decode().partition("|")
            if held == stamp:
                return msgspec.json.decode(ids, type=list[str])
        ids = await load()
        if not self._lost:
            try:
                await self._put(keys=keys, args=[stamp, msgspec.json.encode(ids).decode(), TTL_MS])
            except LOST:
                pass
        return ids

    def changed(self, notes: list[EventNote]) -> None:
        users = {n.event.payload.get("user_id") for n in notes if n.event.type in MEMBER_EVENTS}
        users.discard(None)
        if users:
            task = asyncio.get_running_loop().create_task(self._bump(sorted(users)))  # type: ignore[arg-type]
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _bump(self, users: list[str]) -> None:
        delay = 0.1
        while True:
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for user in users:
                        pipe.incr(f"{self.prefix}g:{user}")
                        pipe.expire(f"{self.prefix}g:{user}", GEN_TTL)
                    if self._lost:
                        pipe.incr(f"{self.prefix}epoch")
                    await pipe.execute()
                self._lost = False
                return
            except LOST:
                # Until this lands no entry is trusted here, and the epoch
                # bump then drops every entry (other processes' included).
                self._lost = True
                log.warning("membership cache: could not invalidate %d users; retrying", len(users))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
