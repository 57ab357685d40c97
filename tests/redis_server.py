"""Real Redis for the tests.

`redis_url`: the shared test Redis, CHATD_TEST_REDIS or the default
redis://127.0.0.1:6379/0 (.ci/start-servers installs and starts it); each
test gets a key prefix of its own, deleted afterwards, so runs and other
users of that Redis never collide. `RedisServer`: a private redis-server on
a free port in a temp dir, for tests that stop and restart it or run chatd
processes against it. Locally a missing Redis skips (the reason printed);
with CI=true it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

DEFAULT = "redis://127.0.0.1:6379/0"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


class RedisServer:
    """A redis-server of the test's own (no persistence): stop() and start()
    again on the same port to play an outage."""

    def __init__(self, workdir: Path):
        from tests.conftest import need_server

        self.binary = shutil.which("redis-server")
        if self.binary is None:
            need_server("redis-server", FileNotFoundError("redis-server is not installed (apt-get install redis-server)"))
        self.dir, self.port = workdir, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.dir / "redis.log", "ab")
        self.proc = subprocess.Popen([self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
                                      "--save", "", "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not _answers("127.0.0.1", self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {(self.dir / 'redis.log').read_text()[-500:]}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)
            self.proc = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis")
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
    if not _answers(host or "127.0.0.1", int(port or 6379)):
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
