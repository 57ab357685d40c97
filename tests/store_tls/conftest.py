"""Stores that speak TLS only, with certificates made for the test
(tests/tls_certs.py): a PostgreSQL cluster whose pg_hba.conf refuses every
connection without TLS, a redis-server on a TLS port only, a SecantusDB
(MongoDB wire) with TLS on."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from chatd.bench.redis_server import RedisServer
from tests.api.message_helpers import CONV, group, send
from tests.conftest import register
from tests.pg_cluster import PgCluster, pg_cluster  # noqa: F401
from tests.tls_certs import Certs, certs  # noqa: F401

# Plain TCP is refused: a connection chatd made without TLS would fail the test.
TLS_ONLY_HBA = "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n"


def serve_certificate(cluster: PgCluster, cert: Path, key: Path) -> None:
    """Restart the cluster presenting `cert` (what a renewed certificate does)."""
    if cluster.running():
        cluster.stop()
    # Where the server's user can read them (the test's own tmp_path is root's only).
    served = []
    for path in (cert, key):
        copy = Path(shutil.copy(path, cluster.root / path.name))
        if os.geteuid() == 0:
            shutil.chown(copy, "postgres", "postgres")
        served.append(copy)
    cluster.options = f"-c ssl=on -c ssl_cert_file={served[0]} -c ssl_key_file={served[1]}"
    cluster.start()


def verified(url: str, ca: Path) -> str:
    return f"{url}?sslmode=verify-full&sslrootcert={ca}"


@pytest.fixture
def tls_pg(pg_cluster: PgCluster, certs: Certs) -> PgCluster:  # noqa: F811
    hba = pg_cluster.data / "pg_hba.conf"
    hba.write_text(TLS_ONLY_HBA)  # the file initdb made: its owner stays
    serve_certificate(pg_cluster, certs.server, certs.server_key)
    return pg_cluster


@pytest.fixture
def tls_redis(tmp_path: Path, certs: Certs) -> Iterator[RedisServer]:  # noqa: F811
    from tests.conftest import need_server

    try:
        server = RedisServer(tmp_path / "redis")
    except FileNotFoundError as err:
        need_server("redis-server", err)
    server.tls = (certs.server, certs.server_key)
    try:
        server.start()
    except RuntimeError as err:  # e.g. a redis-server built without TLS
        need_server("redis-server with --tls-port", err)
    try:
        yield server
    finally:
        server.stop()


def rediss(server: RedisServer, ca: Path) -> str:
    return f"rediss://127.0.0.1:{server.port}/0?ssl_ca_certs={ca}"


@contextmanager
def chatd_log(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """chatd's log records while the block runs. A started app has reset
    logging (caplog's handler with it), so the handler is put back here."""
    root = logging.getLogger()
    root.addHandler(caplog.handler)
    caplog.clear()
    try:
        with caplog.at_level(logging.INFO, logger="chatd"):
            yield caplog.records
    finally:
        root.removeHandler(caplog.handler)


async def chat_works(c: AsyncTestClient) -> None:
    """Two users, a group, a message sent and read back, /readyz ready."""
    ann, bob = await register(c, "ann"), await register(c, "bob")
    conv = await group(c, ann, bob)
    sent = await send(c, conv, ann, "over TLS")
    r = await c.get(f"{CONV}/{conv}/messages", headers=bob.headers)
    assert [m["id"] for m in r.json()["items"]] == [sent["id"]]
    assert (await c.get("/readyz")).json() == {"status": "ready"}
