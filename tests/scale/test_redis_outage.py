"""Redis going away under a real `chatd serve` (storage.cache = redis://, a
redis-server of the test's own): requests that need it answer 503 problem
details naming the store, sockets close with 1013 and new ones are refused
the same way, /readyz names the store, and chatd recovers by itself once
Redis is back: sockets resume with `since` and lose nothing."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.realtime.conftest import CONFIG, PASSWORD, REALTIME, Api, Sock

@pytest.fixture
def redis_chatd(tmp_path, redis_server):
    config = {**CONFIG, "realtime": {**REALTIME, "process_ttl_seconds": 3.0},
              "storage": {"cache": redis_server.url}}
    server = ServerProcess(tmp_path / "chatd", config=config, env=BENCH_ENV)
    asyncio.run(server.start())
    yield server, redis_server
    server.stop()


async def until_status(http: httpx.AsyncClient, path: str, status: int, timeout: float = 15.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        r = await http.get(path)
        if r.status_code == status or time.monotonic() > deadline:
            return r
        await asyncio.sleep(0.1)


async def test_redis_outage_is_clean_and_recovers_by_itself(redis_chatd):
    server, redis = redis_chatd
    api = Api(server.url)
    try:
        ann, bob = await api.user("ann"), await api.user("bob")
        conv = await api.group(ann, bob)
        first = await api.post(ann, conv, "before")
        b = await Sock.open(server.url, bob)
        _, cursor = await b.ready()
        assert (await api.http.get("/readyz")).json() == {"status": "ready"}

        redis.stop()  # killed: no goodbye on any connection
        code, reason, seen = await b.closed(timeout=10)
        assert (code, reason) == (1013, "store_unavailable")
        assert seen[-1]["type"] == "error" and seen[-1]["store"] == "redis"

        sent = await api.call(ann, "POST", f"/api/v1/conversations/{conv}/messages",
                              json={"client_id": "during", "body": "during the outage"})
        assert sent.status_code == 503, sent.text
        problem = sent.json()
        assert problem["code"] == "store_unavailable" and problem["store"] == "redis"
        assert sent.headers["content-type"].startswith("application/problem+json")
        login = await api.http.post("/api/v1/auth/login", json={"username": ann.name, "password": PASSWORD})
        assert login.status_code == 503 and login.json()["store"] == "redis"
        ready = await api.http.get("/readyz")
        assert ready.status_code == 503 and list(ready.json()["failed"]) == ["cache"]
        # Nothing of the refused send was stored.
        history = await api.call(bob, "GET", f"/api/v1/conversations/{conv}/messages", 200)
        assert [m["body"] for m in history.json()["items"]] == ["before"]
        # A new socket is told to come back later, the same way.
        late = await Sock.open(server.url, bob)
        code, _, frames = await late.closed(timeout=10)
        assert code == 1013 and frames[-1]["code"] == "store_unavailable" and frames[-1]["store"] == "redis"

        redis.start()  # the same port, empty (no persistence), as after a restart
        assert (await until_status(api.http, "/readyz", 200)).status_code == 200
        b2 = None
        deadline = time.monotonic() + 15
        while b2 is None:  # what a client does: reconnect with backoff
            s = await Sock.open(server.url, bob, since=cursor)
            frame = await s.frame(5)
            if frame["type"] == "hello":
                b2 = s
                break
            await s.close()
            assert time.monotonic() < deadline, frame
            await asyncio.sleep(0.3)
        await b2.ready()
        after = await api.post(ann, conv, "after")
        live = await b2.collect("message.created", 1)
        assert [e["payload"]["id"] for e in live] == [after["id"]]  # live again, once
        assert first["seq"] < after["seq"]
        login = await api.http.post("/api/v1/auth/login", json={"username": ann.name, "password": PASSWORD})
        assert login.status_code == 200, login.text
        await b2.close()
    finally:
        await api.http.aclose()
