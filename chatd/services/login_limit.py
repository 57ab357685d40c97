"""Failed-login counters per username and per client address, one-minute windows.

Counters live in a Litestar Store (memory now, Redis when several processes
share the load: see storage/cache.py). A read-then-write may let a burst of
concurrent attempts through a few over the limit; the limit is a brake on
guessing, not an exact quota.
"""

from __future__ import annotations

from litestar.stores.base import Store

from chatd.errors import RateLimited

WINDOW = 60  # seconds


class LoginLimiter:
    def __init__(self, store: Store, per_minute: int):
        self.store = store
        self.per_minute = per_minute

    @staticmethod
    def _keys(username: str, address: str | None) -> list[str]:
        keys = [f"login:user:{username}"]
        if address:
            keys.append(f"login:addr:{address}")
        return keys

    async def check(self, username: str, address: str | None) -> None:
        """Raise RateLimited (with retry_after seconds) once either counter is full."""
        for key in self._keys(username, address):
            raw = await self.store.get(key)
            if raw is not None and int(raw) >= self.per_minute:
                wait = await self.store.expires_in(key)
                raise RateLimited(
                    "Too many failed sign-in attempts; try again later.",
                    code="login_rate_limited",
                    extra={"retry_after": max(1, wait or WINDOW)},
                )

    async def failed(self, username: str, address: str | None) -> None:
        for key in self._keys(username, address):
            raw = await self.store.get(key)
            if raw is None:
                await self.store.set(key, b"1", expires_in=WINDOW)
            else:
                # Keep the window's original end: it is a fixed window, not a sliding one.
                left = await self.store.expires_in(key)
                await self.store.set(key, str(int(raw) + 1).encode(), expires_in=max(1, left or WINDOW))

    async def succeeded(self, username: str) -> None:
        await self.store.delete(f"login:user:{username}")
