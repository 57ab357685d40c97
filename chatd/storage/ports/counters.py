"""Port: short-lived shared counters and claims (send limits, typing throttle,
one export at a time).

Kept in process memory, or in Redis when several processes serve one site,
so a user's limit is one limit whichever process their requests land on.
Both are fixed windows: cheap, and a brake rather than an exact quota.
"""

from __future__ import annotations

from typing import Protocol


class CounterStore(Protocol):
    async def hit(self, key: str, window: int) -> int:
        """Count one for `key` in the current fixed window of `window` seconds
        (windows start at multiples of `window` since the epoch); returns the
        count including this one."""
        ...

    async def claim(self, key: str, ttl: float) -> bool:
        """Take `key` for `ttl` seconds: True when it was free (the caller may
        go ahead), False while an earlier claim still holds."""
        ...

    async def release(self, key: str) -> None:
        """End a claim on `key` before its ttl (the work it guarded is over)."""
        ...
