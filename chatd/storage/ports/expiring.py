"""Port: short-lived keys that expire by themselves (login-limit windows,
known devices, two-step sign-in challenges).

Litestar's MemoryStore (one process) and the guarded RedisStore
(storage/redis/store.py) are its adapters, chosen in storage/cache.py; the
services see only these five calls, never the library.
"""

from __future__ import annotations

from typing import Protocol


class ExpiringStore(Protocol):
    async def get(self, key: str, renew_for: int | None = None) -> bytes | None:
        """The value, or None when it is missing or expired."""
        ...

    async def set(self, key: str, value: str | bytes, expires_in: int | None = None) -> None:
        """Store `value`, gone after `expires_in` seconds (kept when None)."""
        ...

    async def delete(self, key: str) -> None: ...

    async def exists(self, key: str) -> bool: ...

    async def expires_in(self, key: str) -> int | None:
        """Seconds left, or None when the key is missing or never expires."""
        ...
