"""Real Redis for the tests.

`redis_conn`: the shared test Redis, CHATD_TEST_REDIS or the default
redis://127.0.0.1:6379/0 (.ci/start-servers installs and starts it); each
test gets a key prefix of its own, deleted afterwards, so runs and other
users of that Redis never collide. `redis_server`: a private redis-server
(chatd/bench/redis_server.py) on a free port in a temp dir, for tests that
stop and restart it or run chatd processes on it. Locally a missing Redis skips (the reason printed);
with CI=true it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from chatd.bench.redis_server import RedisServer, answers

DEFAULT = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    from tests.conftest import need_server

    try:
        server = RedisServer(tmp_path / "redis")
    except FileNotFoundError as err:
        need_server("redis-server", err)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def shared_redis_url() -> str:
    from tests.conftest import need_server

    url = os.environ.get("CHATD_TEST_REDIS", DEFAULT)
    host_port = url.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
    host, _, port = host_port.partition(":")
    if not answers(host or "127.0.0.1", int(port or 6379)):
        need_server(f"Redis at {url}", ConnectionRefusedError("nothing listens there (.ci/start-servers starts one)"))
    return url


@pytest.fixture
async def redis_conn(shared_redis_url: str) -> AsyncIterator[object]:
    """A RedisConnection to the shared test Redis under a prefix of this test's own."""
    from chatd.storage.redis.connection import RedisConnection

    conn = RedisConnection(shared_redis_url, prefix=f"chatdtest:{uuid.uuid4().hex[:12]}:")
    await conn.start()
    try:
        yield conn
    finally:
        keys = [k async for k in conn.client.scan_iter(match=conn.prefix + "*", count=500)]
        if keys:
            await conn.client.delete(*keys)
        await conn.close()
