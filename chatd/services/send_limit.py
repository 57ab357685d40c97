"""Per-user message send limit: fixed one-minute windows.

Counted through the counters port (storage/ports/counters.py): in this
process's memory, or in Redis when several processes share the load, so a
user has one limit whichever process takes their sends. A refused send
counts too (it only ever refuses more of the same window). A brake on
floods, not an exact quota.
"""

from __future__ import annotations

import time

from chatd.errors import RateLimited
from chatd.storage.ports.counters import CounterStore

WINDOW = 60  # seconds


class SendLimiter:
    def __init__(self, counters: CounterStore, per_minute: int):
        self.counters = counters
        self.per_minute = per_minute

    async def hit(self, user_id: str) -> None:
        """Count one send; raise RateLimited (retry_after seconds) once the window is full."""
        count = await self.counters.hit(f"send:{user_id}", WINDOW)
        if count > self.per_minute:
            now = time.time()
            retry_after = max(1, int((now // WINDOW + 1) * WINDOW - now + 0.999))
            raise RateLimited(
                f"At most {self.per_minute} messages a minute; try again in {retry_after} s.",
                code="send_rate_limited",
                extra={"retry_after": retry_after},
            )
