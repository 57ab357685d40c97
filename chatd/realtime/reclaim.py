"""Give the memory of closed sockets back soon after they close.

Every closed socket leaves a reference cycle: Litestar's WebSocket wraps
its own receive/send in closures over itself. The cycle keeps granian's
per-socket buffers alive (~100 KB) until the cyclic collector runs a full
collection, and `chatd serve` tunes the collector for throughput (young
collections every 10,000 allocations), so those come late under load and
never on an idle server: 5,000 closed sockets still held 540 MB there,
which one collection gave back. So a full collection follows closes: DELAY
seconds after the first of a burst, and at most once every SPACING seconds.
"""

from __future__ import annotations

import asyncio
import gc
import time

DELAY = 1.0
SPACING = 10.0


class Reclaimer:
    def __init__(self) -> None:
        self._due: asyncio.TimerHandle | None = None
        self._last = 0.0

    def socket_closed(self) -> None:
        if self._due is None:
            wait = max(DELAY, self._last + SPACING - time.monotonic())
            self._due = asyncio.get_running_loop().call_later(wait, self._collect)

    def _collect(self) -> None:
        self._due, self._last = None, time.monotonic()
        gc.collect()

    def close(self) -> None:
        if self._due is not None:
            self._due.cancel()
            self._due = None
