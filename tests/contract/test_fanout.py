"""Fan-out contract (storage/ports/fanout.py): memory (one process) and
Redis pub/sub (two processes on one Redis)."""

from __future__ import annotations

import asyncio

import pytest

from chatd.storage.memory.fanout import MemoryFanout


async def until(check, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


class Pair:
    """Two carriers that must hear each other (the same one twice for memory)."""

    def __init__(self, conn=None):
        if conn is None:
            self.a = self.b = MemoryFanout()
            self.other = None
            return
        from chatd.storage.redis.connection import RedisConnection
        from chatd.storage.redis.fanout import RedisFanout

        self.other = RedisConnection(conn.url, conn.prefix)
        self.a, self.b = RedisFanout(conn), RedisFanout(self.other)

    def __iter__(self):
        return iter((self.a, self.b))

    async def close(self) -> None:
        await self.a.close()
        await self.b.close()
        if self.other is not None:
            await self.other.close()


@pytest.fixture(params=["memory", "redis"])
def pair(request):
    """Sync (it asks for the async redis_conn only on the Redis run); each
    test closes it."""
    return Pair(None if request.param == "memory" else request.getfixturevalue("redis_conn"))


async def test_every_process_hears_every_message_in_publish_order(pair):
    try:
        a, b = pair
        heard_a: list[bytes] = []
        heard_b: list[bytes] = []
        await a.start(heard_a.append, lambda up: None)
        if b is not a:
            await b.start(heard_b.append, lambda up: None)
        sent = [f"m{i}".encode() for i in range(500)]
        for data in sent:
            a.publish(data)
        assert heard_a == []  # never delivered inside publish (a commit callback publishes)
        await until(lambda: len(heard_a) == 500 and (b is a or len(heard_b) == 500))
        assert heard_a == sent
        if b is not a:
            assert heard_b == sent
            b.publish(b"from b")
            await until(lambda: heard_a[-1:] == [b"from b"])
    finally:
        await pair.close()


async def test_after_close_nothing_is_heard_and_publish_is_harmless(pair):
    try:
        a, _ = pair
        heard: list[bytes] = []
        await a.start(heard.append, lambda up: None)
        await a.close()
        a.publish(b"late")
        await asyncio.sleep(0.05)
        assert heard == []
    finally:
        await pair.close()


async def test_a_listener_error_does_not_stop_delivery(pair):
    try:
        a, _ = pair
        heard: list[bytes] = []

        def hear(data: bytes) -> None:
            if data == b"bad":
                raise ValueError("boom")
            heard.append(data)

        await a.start(hear, lambda up: None)
        for data in (b"1", b"bad", b"2"):
            a.publish(data)
        await until(lambda: heard == [b"1", b"2"])
    finally:
        await pair.close()
