"""Presence in Redis (port: storage/ports/presence.py), shared by every process.

Keys under "<prefix>p:":
  s:<user>     hash socket id -> "<process>|online|away"
  ps:<process> set of users with sockets on that process (for the sweep)
  proc:<process> the process's lease (PX process_ttl), renewed every ttl/3
  procs        set of processes that ever held a lease and were not swept
  ann          hash user -> announced state (offline users are absent)
A socket counts only while its process's lease lives, so a killed
process's users read as offline at once when its lease ends, and the first
process to notice sweeps its sockets (SET NX: one sweeper) and announces.
Each step is one Lua script: one round trip, no interleaving.
"""

from __future__ import annotations

from collections.abc import Collection

from chatd import ids
from chatd.storage.ports.presence import SocketState, State
from chatd.storage.redis.connection import RedisConnection, guarded

# KEYS: s:<user>, ps:<process>. ARGV: op, socket, value, lease key prefix, user.
_STATE = """
if ARGV[1] == 'set' then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
  redis.call('SADD', KEYS[2], ARGV[5])
elseif ARGV[1] == 'drop' then
  redis.call('HDEL', KEYS[1], ARGV[2])
end
local all = redis.call('HGETALL', KEYS[1])
local state = 'offline'
for i = 1, #all, 2 do
  local v = all[i + 1]
  local bar = string.find(v, '|', 1, true)
  if redis.call('EXISTS', ARGV[4] .. string.sub(v, 1, bar - 1)) == 1 then
    if string.sub(v, bar + 1) == 'online' then return 'online' end
    state = 'away'
  end
end
return state
"""
# KEYS: ann. ARGV: user, state. Returns 1 when the announced state changed.
_ANNOUNCE = """
local before = redis.call('HGET', KEYS[1], ARGV[1]) or 'offline'
if ARGV[2] == 'offline' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
if before == ARGV[2] then return 0 end
return 1
"""
# KEYS: ps:<dead>, procs. ARGV: dead process, socket hash prefix. Returns its users.
_SWEEP = """
local users = redis.call('SMEMBERS', KEYS[1])
local mark = ARGV[1] .. '|'
for _, user in ipairs(users) do
  local key = ARGV[2] .. user
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    if string.sub(all[i + 1], 1, #mark) == mark then redis.call('HDEL', key, all[i]) end
  end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return users
"""


class RedisPresenceStore:
    def __init__(self, conn: RedisConnection, process_ttl: float, process_id: str | None = None):
        self.redis = conn.client
        self.prefix = conn.prefix + "p:"
        self.process = process_id or ids.new_id()
        self.ttl_ms = int(process_ttl * 1000)
        self._state = self.redis.register_script(_STATE)
        self._announce = self.redis.register_script(_ANNOUNCE)
        self._sweep = self.redis.register_script(_SWEEP)

    def _socket_keys(self, user_id: str) -> list[str]:
        return [f"{self.prefix}s:{user_id}", f"{self.prefix}ps:{self.process}"]

    async def _run_state(self, op: str, user_id: str, socket_id: str = "", value: str = "") -> State:
        out = await self._state(keys=self._socket_keys(user_id),
                                args=[op, socket_id, value, f"{self.prefix}proc:", user_id])
        return out.decode() if isinstance(out, bytes) else out

    @guarded
    async def set_socket(self, user_id: str, socket_id: str, state: SocketState) -> State:
        return await self._run_state("set", user_id, socket_id, f"{self.process}|{state}")

    @guarded
    async def drop_socket(self, user_id: str, socket_id: str) -> State:
        return await self._run_state("drop", user_id, socket_id)

    @guarded
    async def current(self, user_id: str) -> State:
        return await self._run_state("get", user_id)

    @guarded
    async def announce(self, user_id: str, state: State) -> bool:
        return bool(await self._announce(keys=[f"{self.prefix}ann"], args=[user_id, state]))

    @guarded
    async def announced(self, user_ids: Collection[str]) -> dict[str, State]:
        users = list(user_ids)
        if not users:
            return {}
        values = await self.redis.hmget(f"{self.prefix}ann", users)
        return {u: (v.decode() if v else "offline") for u, v in zip(users, values, strict=True)}  # type: ignore[misc]

    @guarded
    async def renew(self) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(f"{self.prefix}proc:{self.process}", b"1", px=self.ttl_ms)
            pipe.sadd(f"{self.prefix}procs", self.process)
            await pipe.execute()

    @guarded
    async def expired(self) -> list[str]:
        procs = [p.decode() for p in await self.redis.smembers(f"{self.prefix}procs")]
        others = [p for p in procs if p != self.process]
        if not others:
            return []
        users: list[str] = []
        for proc in others:
            if await self.redis.exists(f"{self.prefix}proc:{proc}"):
                continue
            if not await self.redis.set(f"{self.prefix}sweep:{proc}", self.process.encode(), nx=True, px=60_000):
                continue  # another process sweeps it
            swept = await self._sweep(keys=[f"{self.prefix}ps:{proc}", f"{self.prefix}procs"],
                                      args=[proc, f"{self.prefix}s:"])
            users += [u.decode() for u in swept]
        return users
