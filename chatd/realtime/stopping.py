"""Cancelling background tasks at shutdown without hanging on one.

A task whose cancel is swallowed on the way (redis-py does that in some of
its waits; storage/redis/fanout.py met it) runs on instead of ending, and a
plain gather would hold the server's shutdown forever. Every stop here waits
a bounded time and logs what did not end.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

log = logging.getLogger("chatd.realtime")

STOP_WAIT = 2.0  # seconds a stop waits for its tasks


async def cancel_and_wait(tasks: Iterable[asyncio.Task | None], what: str, timeout: float = STOP_WAIT) -> None:
    live = [t for t in tasks if t is not None and not t.done()]
    for task in live:
        task.cancel()
    if not live:
        return
    done, stuck = await asyncio.wait(live, timeout=timeout)
    for task in done:
        if not task.cancelled():
            task.exception()  # retrieved: an error while stopping is not worth a second report
    for task in stuck:
        log.warning("%s: %s did not stop within %.0f s", what, task.get_name(), timeout)
