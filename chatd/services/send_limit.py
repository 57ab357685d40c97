"""Per-user message send limit: fixed one-minute windows.

One key per user in a Litestar Store (memory now, Redis when several
processes share the load: see storage/cache.py), holding "<window>:<count>",
so the key is overwritten rather than a new one made every minute. A
read-then-write may let a concurrent burst a few messages over the limit:
it is a brake on floods, not an exact quota.
"""

from __future__ import annotations

import time

from litestar.stores.base import Store

from chatd.errors import RateLimited

WINDOW = 60  # seconds


class SendLimiter:
    def __init__(self, store: Store, per_minute: int):
        self.store = store
        self.per_minute = per_minute

    async def hit(self, user_id: str) -> None:
        """Count one send; raise RateLimited (retry_after seconds) once the window is full."""
        now = time.time()
        window = int(now // WINDOW)
        key = f"send:{user_id}"
        raw = await self.store.get(key)
        count = 0
        if raw is not None:
            stored_window, _, stored_count = raw.decode().partition(":")
            if int(stored_window) == window:
                count = int(stored_count)
        if count >= self.per_minute:
            retry_after = max(1, int((window + 1) * WINDOW - now + 0.999))
            raise RateLimited(
                f"At most {self.per_minute} messages a minute; try again in {retry_after} s.",
                code="send_rate_limited",
                extra={"retry_after": retry_after},
            )
        await self.store.set(key, f"{window}:{count + 1}", expires_in=WINDOW)
