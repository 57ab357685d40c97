"""Litestar's RedisStore (login-limit counters and other short-lived keys),
with a lost connection answered as 503 "store": "redis" like every Redis
adapter, instead of a 500."""

from __future__ import annotations

from datetime import timedelta

from litestar.stores.base import Store
from litestar.stores.redis import RedisStore

from chatd.storage.redis.connection import RedisConnection, guarded


class GuardedRedisStore(Store):
    def __init__(self, conn: RedisConnection):
        self.inner = RedisStore(conn.client, namespace=conn.prefix + "store", handle_client_shutdown=False)

    @guarded
    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        await self.inner.set(key, value, expires_in)

    @guarded
    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        return await self.inner.get(key, renew_for)

    @guarded
    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    @guarded
    async def delete_all(self) -> None:
        await self.inner.delete_all()

    @guarded
    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)

    @guarded
    async def expires_in(self, key: str) -> int | None:
        return await self.inner.expires_in(key)
