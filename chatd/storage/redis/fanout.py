"""Fan-out between processes on Redis pub/sub (port: storage/ports/fanout.py).

Not Litestar's RedisChannelsPubSubBackend: its plugin runs the subscription
in a task that ends for good on the first ConnectionError, and a publish
error ends its publisher the same way, so a Redis restart would silence a
process until it restarts too. This is the same pub/sub with the one thing
missing: notice the loss, tell `health`, resubscribe with backoff.

No history is kept in Redis (nor needed): committed events are in the sync
log, hubs fill gaps from it, and clients resume with `since`. One channel,
one publishing task per process, so each process's messages arrive
everywhere in the order it sent them. What queued while one PUBLISH was on
its way leaves as the next one, length-prefixed in one payload: at 1,000
messages/s a PUBLISH (and a received message) per message cost more than
the rest of the delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections import deque
from typing import Any

from chatd.storage.ports.fanout import Hear, Health
from chatd.storage.redis.connection import LOST, RedisConnection

log = logging.getLogger("chatd.realtime")

BATCH = 256
_LEN = struct.Struct(">I")
MAX_QUEUED = 50_000  # while Redis is slow or away; beyond, the oldest go (the log has them)
WAIT = 1.0  # seconds a read waits before looping (a lost connection shows on the next read)
BACKOFF = (0.1, 0.2, 0.5, 1.0, 2.0)
CLOSE_WAIT = 2.0  # seconds close() waits for the reader and writer; a read waits at most WAIT


class RedisFanout:
    def __init__(self, conn: RedisConnection):
        self.conn = conn
        self.channel = conn.prefix + "bus"
        self._queue: deque[bytes] = deque(maxlen=MAX_QUEUED)
        self._wake = asyncio.Event()
        self._hear: Hear | None = None
        self._health: Health | None = None
        self._sub: Any = None  # its own client, made at start (CLI commands never start one)
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self.up = False

    async def start(self, hear: Hear, health: Health) -> None:
        self._hear, self._health = hear, health
        self._sub = self.conn.pubsub_client()
        pubsub = await self._subscribe()  # subscribed before start returns: nothing published later is missed
        self.up = True
        self._tasks = [asyncio.create_task(self._read(pubsub), name="chatd-fanout-read"),
                       asyncio.create_task(self._write(), name="chatd-fanout-write")]

    def publish(self, data: bytes) -> None:
        if self._hear is None:
            return
        self._queue.append(data)
        self._wake.set()

    async def _subscribe(self) -> Any:
        pubsub = self._sub.pubsub()
        try:
            await pubsub.subscribe(self.channel)
        except BaseException:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            raise
        return pubsub

    async def _write(self) -> None:
        client, queue = self.conn.client, self._queue
        while not self._closing:
            await self._wake.wait()
            self._wake.clear()
            while queue:
                batch = [queue.popleft() for _ in range(min(BATCH, len(queue)))]
                try:
                    await client.publish(self.channel, pack(batch))
                except LOST as err:
                    # Dropped: events come back from the log, ephemeral frames were ephemeral.
                    log.warning("fan-out: Redis did not take %d messages (%s)", len(batch), type(err).__name__)

    async def _read(self, pubsub: Any) -> None:
        while not self._closing:
            try:
                while not self._closing:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=WAIT)
                    if message is None:
                        continue
                    for data in unpack(message["data"]):
                        if self._hear is None:
                            break
                        try:
                            self._hear(data)
                        except Exception:  # noqa: BLE001 - one bad message must not stop delivery
                            log.exception("fan-out listener failed")
            except LOST as err:
                log.warning("fan-out: lost Redis (%s: %s); resubscribing", type(err).__name__, err)
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            self._set_up(False)
            pubsub = await self._resubscribe()
            self._set_up(True)

    async def _resubscribe(self) -> Any:
        attempt = 0
        while True:
            await asyncio.sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])
            attempt += 1
            try:
                await self.conn.client.ping()  # the command side answers too
                pubsub = await self._subscribe()
            except LOST:
                continue
            log.info("fan-out: Redis is back")
            return pubsub

    def _set_up(self, up: bool) -> None:
        if up == self.up:
            return
        self.up = up
        if self._health is not None:
            try:
                self._health(up)
            except Exception:  # noqa: BLE001 - a listener's bug must not end the subscription
                log.exception("fan-out health listener failed")

    async def close(self) -> None:
        # Cancelling alone is not enough: a cancel that lands inside a redis-py
        # call can be swallowed there (seen: the writer back at `_wake.wait()`
        # with its cancel spent, and shutdown waiting on it for good). So the
        # loops also stop on `_closing`, and the wait is bounded.
        self._hear, self._closing = None, True
        self._wake.set()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=CLOSE_WAIT)
            for task in stuck:
                task.cancel()
                log.warning("fan-out: %s did not stop within %.0f s", task.get_name(), CLOSE_WAIT)
        self._tasks = []
        if self._sub is not None:
            await self._sub.aclose()
            self._sub = None


def pack(batch: list[bytes]) -> bytes:
    return b"".join(_LEN.pack(len(data)) + data for data in batch)


def unpack(payload: bytes) -> list[bytes]:
    out, at = [], 0
    while at + 4 <= len(payload):
        (size,) = _LEN.unpack_from(payload, at)
        out.append(payload[at + 4:at + 4 + size])
        at += 4 + size
    return out
