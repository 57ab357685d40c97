"""The PostgreSQL password rotated under a running chatd (ASVS 2.10.1,
6.4.1): chatd reads storage.database from a file, and every new connection
reads the file again. Connections open before a rotation keep working
until they close; the ones opened after it use the new password. A wrong
new password is a clean 503 naming the store, /readyz says
CredentialsRefused, one ERROR line tells the admin why, and putting the
right one in the file mends it with no restart."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.bench.server import BENCH_ENV, ServerProcess
from chatd.storage.build import open_stores
from tests.api.message_helpers import CONV, group, send
from tests.conftest import register
from tests.pg_cluster import PgCluster
from tests.rotation.conftest import file_config, write_secret
from tests.store_tls.conftest import chatd_log
from tests.stores_away.helpers import assert_away


def chatd_url(cluster: PgCluster, password: str) -> str:
    return f"postgresql://chatd:{password}@127.0.0.1:{cluster.port}/chatd"


async def as_admin(cluster: PgCluster, sql: str) -> list:
    admin = await asyncpg.connect(cluster.url, timeout=10)
    try:
        return await admin.fetch(sql)
    finally:
        await admin.close()


async def cut_chatd_off(cluster: PgCluster) -> int:
    """What a restarted server or an idle timeout does: every chatd backend ends."""
    rows = await as_admin(cluster, "SELECT pid FROM pg_stat_activity WHERE usename = 'chatd'")
    ended = [row["pid"] for row in rows]
    await as_admin(cluster, f"SELECT pg_terminate_backend(pid) FROM unnest(ARRAY{ended}::int[]) AS pid")
    deadline = time.monotonic() + 10
    while await as_admin(cluster, f"SELECT 1 FROM pg_stat_activity WHERE pid = ANY(ARRAY{ended}::int[])"):
        assert time.monotonic() < deadline  # each backend takes a moment to exit
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.1)  # chatd's event loop reads each connection's goodbye, as it would in any real pause
    return len(rows)


async def test_a_rotated_password_reaches_new_connections_without_a_restart(password_pg: PgCluster, tmp_path: Path,
                                                                            caplog: pytest.LogCaptureFixture) -> None:
    secret = tmp_path / "db-url"
    write_secret(secret, chatd_url(password_pg, "password-A"))
    config = file_config(tmp_path, "database", secret)
    async with AsyncTestClient(create_app(config)) as c:
        ann, bob = await register(c, "ann"), await register(c, "bob")
        conv = await group(c, ann, bob)
        await send(c, conv, ann, "before")

        # The role's password changes first; chatd's open connections were
        # authenticated already and keep serving.
        await as_admin(password_pg, "ALTER ROLE chatd PASSWORD 'password-B'")
        await send(c, conv, ann, "while the file still says A")

        write_secret(secret, chatd_url(password_pg, "password-B"))
        assert await cut_chatd_off(password_pg) >= 1
        r = await c.get(f"{CONV}/{conv}/messages", headers=bob.headers)
        assert r.status_code == 200 and [m["body"] for m in r.json()["items"]][-2:] == \
            ["before", "while the file still says A"], r.text
        await send(c, conv, ann, "after B")
        assert (await c.get("/readyz")).json() == {"status": "ready"}

        # A rotation that did not reach chatd's file: the role's password is C, the file says B.
        await as_admin(password_pg, "ALTER ROLE chatd PASSWORD 'password-C'")
        await cut_chatd_off(password_pg)
        with chatd_log(caplog) as records:
            await assert_away(c, "postgresql", "GET", f"{CONV}/{conv}/messages", within=8, headers=bob.headers)
            r = await c.post(f"{CONV}/{conv}/messages", json={"client_id": "c1", "body": "x"}, headers=ann.headers)
            ready = await c.get("/readyz")
        assert (r.status_code, r.json()["store"]) == (503, "postgresql"), r.text
        assert "credentials" in r.json()["detail"] and "password-" not in r.text
        assert (ready.status_code, ready.json()["failed"]) == (503, {"database": "CredentialsRefused"})
        said = [rec.getMessage() for rec in records if rec.name.startswith("chatd") and "credentials" in rec.getMessage()]
        assert len(said) == 1 and said[0].startswith("storage.database (PostgreSQL at postgresql://chatd:***@127.0.0.1"), said
        assert 'password authentication failed for user "chatd"' in said[0] and "password-" not in said[0], said
        assert not [rec for rec in records if rec.exc_info and rec.name.startswith("chatd")], "no stack trace"

        write_secret(secret, chatd_url(password_pg, "password-C"))
        assert (await c.get("/readyz")).json() == {"status": "ready"}
        assert (await send(c, conv, ann, "after C", client_id="c1"))["seq"] == 4
    rows = await as_admin(password_pg, "SELECT count(*) AS n FROM pg_stat_activity WHERE usename = 'chatd'")
    assert rows[0]["n"] == 0  # closed with the app


async def test_a_file_that_cannot_be_read_keeps_the_last_good_url(password_pg: PgCluster, tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    """Mid-rotation the file may be missing, or hold something else: new
    connections keep the last good URL and the admin is told, never shown it."""
    secret = tmp_path / "db-url"
    write_secret(secret, chatd_url(password_pg, "password-A"))
    stores = await open_stores(file_config(tmp_path, "database", secret))
    try:
        with chatd_log(caplog) as records:
            for broken in ("sqlite:///elsewhere.db", None):
                if broken is None:
                    secret.unlink()
                else:
                    write_secret(secret, broken)
                await cut_chatd_off(password_pg)
                assert await stores.check() == {}
        said = [rec.getMessage() for rec in records if rec.levelname == "WARNING"]
        assert any("not the kind of value storage.database holds" in s for s in said), said
        assert any("no such file" in s for s in said) and not any("password-A" in s for s in said), said
    finally:
        await stores.close()


async def test_a_refused_password_at_start_is_one_line(password_pg: PgCluster, tmp_path: Path) -> None:
    secret = tmp_path / "db-url"
    write_secret(secret, chatd_url(password_pg, "not-the-password"))
    with pytest.raises(ConnectionError) as refused:
        await open_stores(file_config(tmp_path, "database", secret))
    said = str(refused.value)
    assert said.startswith(f"storage.database (PostgreSQL at postgresql://chatd:***@127.0.0.1:{password_pg.port}/chatd)"
                           " refused chatd's credentials (InvalidPasswordError: password authentication failed"), said
    assert "not-the-password" not in said


async def test_sighup_makes_a_served_chatd_log_in_again_and_keeps_it_running(password_pg: PgCluster,
                                                                              tmp_path: Path) -> None:
    """`systemctl reload chatd` (kill -HUP): the pool's connections are
    replaced, the new ones logging in with the file's password now, while
    the server keeps serving (a SIGHUP used to end the process)."""
    secret = tmp_path / "db-url"
    write_secret(secret, chatd_url(password_pg, "password-A"))
    server = ServerProcess(tmp_path / "served", env=BENCH_ENV, config={"storage": {"database_file": str(secret)}})
    server.sections["storage"].pop("database")
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=10) as http:
            r = await http.post("/api/v1/auth/register", json={"username": "ann", "password": "correct horse battery"})
            assert r.status_code == 201, r.text
            me = {"Authorization": f"Bearer {r.json()['token']}"}
            await as_admin(password_pg, "ALTER ROLE chatd PASSWORD 'password-B'")
            write_secret(secret, chatd_url(password_pg, "password-B"))
            started = (await as_admin(password_pg, "SELECT now() AS t"))[0]["t"]
            assert (await http.get("/api/v1/me", headers=me)).status_code == 200  # old connections still serve
            assert not await backends_since(password_pg, started)

            os.kill(server.pid, signal.SIGHUP)
            deadline = time.monotonic() + 10
            while not await backends_since(password_pg, started):
                assert time.monotonic() < deadline, server.log_tail()
                assert (await http.get("/api/v1/me", headers=me)).status_code == 200
                await asyncio.sleep(0.1)
            assert server.proc is not None and server.proc.poll() is None
            assert "SIGHUP: store connections are being replaced" in server.log_path.read_text()
    finally:
        assert server.stop() == 0, server.log_tail()


async def backends_since(cluster: PgCluster, started) -> list:
    """chatd's connections opened after `started` (they logged in with the file's password then)."""
    return await as_admin(cluster, f"SELECT pid FROM pg_stat_activity WHERE usename = 'chatd' "
                                   f"AND backend_start > '{started.isoformat()}'")
