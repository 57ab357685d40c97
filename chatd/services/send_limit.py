"""Per-user message send limit: fixed one-minute windows.

Counted in a Litestar Store (Redis when several processes share the load:
see storage/cache.py), one key per user holding "<window>:<count>", so the
key is overwritten rather than a new one made every minute. A read-then-write
may let a concurrent burst a few messages over the limit: it is a brake on
floods, not an exact quota.

With the in-process MemoryStore the counters are a plain dict instead: that
store is private to this process anyway, so nothing is shared either way,
and its two locked round trips per send cost more than the rest of the
limiter (~25 us of the ~0.3 ms a send costs the server).
"""

from __future__ import annotations

import time

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from chatd.errors import RateLimited

WINDOW = 60  # seconds
LOCAL_PRUNE_AT = 10_000  # users counted in-process before old windows are swept


class SendLimiter:
    def __init__(self, store: Store, per_minute: int):
        self.store = store
        self.per_minute = per_minute
        # user -> (window, count); None: counters live in the shared store.
        self._local: dict[str, tuple[int, int]] | None = {} if type(store) is MemoryStore else None

    async def hit(self, user_id: str) -> None:
        """Count one send; raise RateLimited (retry_after seconds) once the window is full."""
        now = time.time()
        window = int(now // WINDOW)
        if self._local is not None:
            count = self._count_local(user_id, window)
        else:
            count = await self._count_shared(user_id, window)
        if count >= self.per_minute:
            retry_after = max(1, int((window + 1) * WINDOW - now + 0.999))
            raise RateLimited(
                f"At most {self.per_minute} messages a minute; try again in {retry_after} s.",
                code="send_rate_limited",
                extra={"retry_after": retry_after},
            )
        if self._local is not None:
            self._local[user_id] = (window, count + 1)
        else:
            await self.store.set(f"send:{user_id}", f"{window}:{count + 1}", expires_in=WINDOW)

    def _count_local(self, user_id: str, window: int) -> int:
        local = self._local
        assert local is not None
        if len(local) >= LOCAL_PRUNE_AT and user_id not in local:
            self._local = local = {u: wc for u, wc in local.items() if wc[0] == window}
        stored = local.get(user_id)
        return stored[1] if stored is not None and stored[0] == window else 0

    async def _count_shared(self, user_id: str, window: int) -> int:
        raw = await self.store.get(f"send:{user_id}")
        if raw is None:
            return 0
        stored_window, _, stored_count = raw.decode().partition(":")
        return int(stored_count) if int(stored_window) == window else 0
