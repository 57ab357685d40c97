"""Cancelling background tasks at shutdown without hanging on one.

A task whose cancel is swallowed on the way (redis-py does that in some of
its waits, storage/redis/fanout.py met it; pymongo's server selection did
in the MongoDB event relay) runs on instead of ending, and a plain gather
would hold the server's shutdown forever. Every stop here waits a bounded
time and logs what did not end. Loops that catch errors and go on should
also stop once `cancel_requested()`: a cancel a library swallowed is
otherwise lost for good, and asyncio's own end-of-run gather waits for them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

log = logging.getLogger("chatd")

STOP_WAIT = 2.0  # seconds a stop waits for its tasks
ASK_AGAIN = 0.1  # seconds between cancels of a task that has not ended yet


async def cancel_and_wait(tasks: Iterable[asyncio.Task | None], what: str, timeout: float = STOP_WAIT) -> None:
    live = [t for t in tasks if t is not None and not t.done()]
    if not live:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    stuck = set(live)
    while stuck and (left := deadline - loop.time()) > 0:
        # Cancelled again while it runs on: the wait that swallowed the last
        # cancel is seldom the one the next lands in (pymongo's server
        # selection loops over short waits until its own timeout).
        for task in stuck:
            task.cancel()
        done, stuck = await asyncio.wait(stuck, timeout=min(ASK_AGAIN, left))
        for task in done:
            if not task.cancelled():
                task.exception()  # retrieved: an error while stopping is not worth a second report
    for task in stuck:
        log.warning("%s: %s did not stop within %.0f s", what, task.get_name(), timeout)


def cancel_requested() -> bool:
    """The running task was asked to stop, even if the CancelledError was
    lost inside a library call since (Task.cancelling() stays counted)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
