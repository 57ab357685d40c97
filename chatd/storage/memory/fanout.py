"""Fan-out inside one process (port: storage/ports/fanout.py): a queue
drained on the next turn of the event loop, so publishing from a commit
callback never runs routing inside it."""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from chatd.storage.ports.fanout import Hear, Health

log = logging.getLogger("chatd.realtime")


class MemoryFanout:
    def __init__(self) -> None:
        self._hear: Hear | None = None
        self._queue: deque[bytes] = deque()
        self._scheduled = False

    async def start(self, hear: Hear, health: Health) -> None:
        self._hear = hear  # memory is never lost: `health` is not called

    def publish(self, data: bytes) -> None:
        if self._hear is None:
            return  # not started, or closed: nobody listens
        self._queue.append(data)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._drain)

    def _drain(self) -> None:
        self._scheduled = False
        hear, queue = self._hear, self._queue
        while queue and hear is not None:
            data = queue.popleft()
            try:
                hear(data)
            except Exception:  # noqa: BLE001 - one bad message must not stop delivery
                log.exception("fan-out listener failed")

    async def close(self) -> None:
        self._hear = None
        self._queue.clear()
