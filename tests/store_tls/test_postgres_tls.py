"""chatd to PostgreSQL over verified TLS (ASVS 1.9.1, 1.9.2, 9.2.2, 9.2.3,
9.2.5), against a real cluster that refuses plain connections: with the
right CA every connection (the pool, the migration child through piccolo)
works; a wrong CA stops the start with one line; a certificate for another
name under a running chatd is 503 naming the store, /readyz names the kind,
one ERROR line says why, and chatd recovers when the certificate is right."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.config import redact_url
from chatd.storage.build import open_stores
from tests.api.message_helpers import CONV, group, send
from tests.conftest import make_config, register
from tests.pg_cluster import PgCluster
from tests.store_tls.conftest import chat_works, chatd_log, serve_certificate, verified
from tests.stores_away.helpers import assert_away
from tests.tls_certs import Certs


async def test_plain_connections_are_refused_by_the_test_cluster(tls_pg: PgCluster) -> None:
    """What makes the next test mean something: nothing gets in without TLS."""
    with pytest.raises(asyncpg.exceptions.InvalidAuthorizationSpecificationError, match="reject"):
        await asyncpg.connect(tls_pg.url + "?sslmode=disable", timeout=5)


async def test_verified_tls_with_the_right_ca_works(tls_pg: PgCluster, certs: Certs, tmp_path: Path) -> None:
    url = verified(tls_pg.url, certs.ca)
    # A fresh database: the schema comes from the migration child (piccolo), over TLS too.
    config = make_config(tmp_path, url, storage={"require_tls": True})
    async with AsyncTestClient(create_app(config)) as c:
        await chat_works(c)
        admin = await asyncpg.connect(url, timeout=5)
        try:
            rows = await admin.fetch("SELECT s.ssl, s.version FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                                     "WHERE a.backend_type = 'client backend'")
        finally:
            await admin.close()
    assert len(rows) >= 2 and all(row["ssl"] and row["version"].startswith("TLS") for row in rows), rows


async def test_a_wrong_ca_stops_the_start_with_one_line(tls_pg: PgCluster, certs: Certs, tmp_path: Path) -> None:
    config = make_config(tmp_path, verified(tls_pg.url, certs.wrong_ca))
    with pytest.raises(ConnectionError) as refused:
        await open_stores(config)
    said = str(refused.value)
    assert said.startswith(f"storage.database (PostgreSQL at {redact_url(tls_pg.url)}) refused: its TLS "
                           "certificate is not trusted (unable to get local issuer certificate)"), said


def test_chatd_serve_says_why_it_does_not_start(tls_pg: PgCluster, certs: Certs, tmp_path: Path) -> None:
    (tmp_path / "chatd.toml").write_text(f'[server]\ndata_dir = "{tmp_path}"\nport = 1\n[storage]\n'
                                         f'database = "{verified(tls_pg.url, certs.wrong_ca)}"\n')
    done = subprocess.run([sys.executable, "-m", "chatd", "serve", "--config", str(tmp_path / "chatd.toml")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("chatd: cannot start: storage.database (PostgreSQL at ") and \
        "its TLS certificate is not trusted" in last, done.stderr


async def test_a_certificate_for_another_name_under_a_running_chatd(tls_pg: PgCluster, certs: Certs, tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    config = make_config(tmp_path, verified(tls_pg.url, certs.ca))
    async with AsyncTestClient(create_app(config)) as c:
        ann, bob = await register(c, "ann"), await register(c, "bob")
        conv = await group(c, ann, bob)
        await send(c, conv, ann, "before")

        # Signed by the trusted CA, but for db.example.org: chatd asked for 127.0.0.1.
        await asyncio.to_thread(serve_certificate, tls_pg, certs.elsewhere, certs.elsewhere_key)
        with chatd_log(caplog) as records:
            await assert_away(c, "postgresql", "GET", f"{CONV}/{conv}/messages", within=8, headers=bob.headers)
            r = await c.post(f"{CONV}/{conv}/messages", json={"client_id": "c1", "body": "x"}, headers=ann.headers)
            ready = await c.get("/readyz")
        assert (r.status_code, r.json()["store"]) == (503, "postgresql") and "TLS" in r.json()["detail"], r.text
        assert (ready.status_code, ready.json()["failed"]) == (503, {"database": "CertificateNotTrusted"})
        lines = [rec for rec in records if rec.name.startswith("chatd")]
        assert not [rec for rec in lines if rec.exc_info], "no stack trace"
        refused = [rec.getMessage() for rec in lines if "certificate is not trusted" in rec.getMessage()]
        assert len(refused) == 1, refused  # once, not per request
        assert refused[0].startswith("storage.database (PostgreSQL at") and "mismatch" in refused[0], refused

        await asyncio.to_thread(serve_certificate, tls_pg, certs.server, certs.server_key)
        assert (await c.get("/readyz")).json() == {"status": "ready"}
        assert (await send(c, conv, ann, "after", client_id="c1"))["seq"] == 2
