"""Per-user limit on account exports (GET /me/export): one running at a
time and `limits.exports_per_hour` started per fixed clock hour.

An export reads and streams a user's whole history, so one account asking
for it in a loop would load the database for everyone. Counted through the
counters port (storage/ports/counters.py): this process's memory, or Redis
when several processes share the load, so the limit is one whichever
process serves the request. A brake, not an exact quota.
"""

from __future__ import annotations

import time

from chatd.errors import RateLimited
from chatd.storage.ports.counters import CounterStore

HOUR = 3600  # seconds
# How long the "running" claim holds if its end is never seen (the process
# died mid-export); a longer export no longer keeps a second one out.
RUNNING_FOR = 15 * 60
RETRY_RUNNING = 30  # Retry-After while one is running: it usually ends soon


class ExportLimiter:
    def __init__(self, counters: CounterStore, per_hour: int):
        self.counters = counters
        self.per_hour = per_hour

    async def start(self, user_id: str) -> None:
        """Admit one export for `user_id` (call finish() when it ends);
        RateLimited (retry_after seconds) when one is running or the hour is used up."""
        if not await self.counters.claim(_running(user_id), RUNNING_FOR):
            raise RateLimited("An export of this account is already running; try again when it has finished.",
                              code="export_running", extra={"retry_after": RETRY_RUNNING})
        # Only admitted exports count: waiting for a running one costs nothing.
        if await self.counters.hit(f"export:{user_id}", HOUR) > self.per_hour:
            await self.counters.release(_running(user_id))
            now = time.time()
            retry_after = max(1, int((now // HOUR + 1) * HOUR - now + 0.999))
            raise RateLimited(f"At most {self.per_hour} exports an hour; try again in {retry_after} s.",
                              code="export_rate_limited", extra={"retry_after": retry_after})

    async def finish(self, user_id: str) -> None:
        await self.counters.release(_running(user_id))


def _running(user_id: str) -> str:
    return f"export-running:{user_id}"
