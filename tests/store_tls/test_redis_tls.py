"""chatd to Redis over verified TLS (rediss://, ssl_ca_certs in the URL;
ASVS 1.9.1, 1.9.2, 9.2.2, 9.2.3, 9.2.5), against a real redis-server that
listens on a TLS port only: every client (counters, presence, fan-out,
Litestar's RedisStore for login limits) works with the right CA; a wrong CA
stops the start with one line; a certificate for another name under a
running chatd is 503 naming the store, /readyz names the kind, one ERROR
line says why, and chatd recovers when the certificate is right again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.bench.redis_server import RedisServer
from chatd.storage.redis.connection import RedisConnection
from tests.api.message_helpers import CONV, group, send
from tests.conftest import make_config, register
from tests.store_tls.conftest import chatd_log, rediss
from tests.tls_certs import Certs

PASSWORD = "correct horse battery"


async def _restart_with(server: RedisServer, cert: Path, key: Path) -> None:
    server.stop()
    server.tls = (cert, key)
    await asyncio.to_thread(server.start)


async def test_verified_tls_with_the_right_ca_works(tls_redis: RedisServer, certs: Certs, tmp_path: Path,
                                                   sqlite_template: Path) -> None:
    import shutil

    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    config = make_config(tmp_path, storage={"cache": rediss(tls_redis, certs.ca), "require_tls": True})
    async with AsyncTestClient(create_app(config)) as c:
        ann, bob = await register(c, "ann"), await register(c, "bob")
        bad = await c.post("/api/v1/auth/login", json={"username": "ann", "password": "wrong password here"})
        assert bad.status_code == 401, bad.text  # counted in Litestar's RedisStore
        conv = await group(c, ann, bob)
        await send(c, conv, ann, "over TLS")  # the send limit's counter
        assert (await c.get("/readyz")).json() == {"status": "ready"}
        # The server has no plain port: what chatd keeps there went over TLS.
        probe = RedisConnection(rediss(tls_redis, certs.ca))
        try:
            assert [k async for k in probe.client.scan_iter(match="chatd:*")], "chatd wrote nothing to Redis"
        finally:
            await probe.close()


async def test_a_wrong_ca_stops_the_start_with_one_line(tls_redis: RedisServer, certs: Certs) -> None:
    conn = RedisConnection(rediss(tls_redis, certs.wrong_ca))
    try:
        with pytest.raises(ConnectionError) as refused:
            await conn.start()
    finally:
        await conn.close()
    said = str(refused.value)
    assert said.startswith(f"Redis at rediss://127.0.0.1:{tls_redis.port}/0 refused: its TLS certificate is not "
                           "trusted (unable to get local issuer certificate)"), said


async def test_plain_redis_to_a_tls_port_is_refused(tls_redis: RedisServer) -> None:
    conn = RedisConnection(f"redis://127.0.0.1:{tls_redis.port}/0")
    try:
        with pytest.raises(ConnectionError, match="does not answer"):
            await conn.start()
    finally:
        await conn.close()


async def test_a_certificate_for_another_name_under_a_running_chatd(tls_redis: RedisServer, certs: Certs,
                                                                    tmp_path: Path, sqlite_template: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    import shutil

    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    config = make_config(tmp_path, storage={"cache": rediss(tls_redis, certs.ca)})
    async with AsyncTestClient(create_app(config)) as c:
        ann, bob = await register(c, "ann"), await register(c, "bob")
        conv = await group(c, ann, bob)
        await send(c, conv, ann, "before")

        await _restart_with(tls_redis, certs.elsewhere, certs.elsewhere_key)  # for db.example.org only
        with chatd_log(caplog) as records:
            login = await c.post("/api/v1/auth/login", json={"username": "ann", "password": PASSWORD})
            sent = await c.post(f"{CONV}/{conv}/messages", json={"client_id": "c1", "body": "x"}, headers=ann.headers)
            ready = await c.get("/readyz")
        for r in (login, sent):
            body = r.json()
            assert (r.status_code, body["code"], body["store"]) == (503, "store_unavailable", "redis"), r.text
            assert "TLS" in body["detail"] and r.headers["retry-after"]
        assert (ready.status_code, ready.json()["failed"]) == (503, {"cache": "CertificateNotTrusted"})
        lines = [rec for rec in records if rec.name.startswith("chatd")]
        assert not [rec for rec in lines if rec.exc_info], "no stack trace"
        refused = [rec.getMessage() for rec in lines if "certificate is not trusted" in rec.getMessage()]
        assert len(refused) == 1 and refused[0].startswith("storage.cache (Redis) refused"), refused
        assert "mismatch" in refused[0], refused

        await _restart_with(tls_redis, certs.server, certs.server_key)
        assert (await c.get("/readyz")).json() == {"status": "ready"}
        assert (await send(c, conv, ann, "after", client_id="c1"))["seq"] == 2
