"""Stores whose passwords are rotated under a running chatd (ASVS 2.10.1,
6.4.1): a PostgreSQL cluster that checks passwords (scram-sha-256 for every
role but the test's own `postgres`) and a private redis-server with ACL
users. chatd reads its store URL from a file, as Vault Agent, a Kubernetes
secret or systemd-creds would hand it over."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from chatd.bench.redis_server import RedisServer
from chatd.config import Config, parse
from tests.pg_cluster import PgCluster, pg_cluster  # noqa: F401

# The test (user postgres) gets in without a password; chatd's role must give its own.
PASSWORD_HBA = ("local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
                "host all all 127.0.0.1/32 scram-sha-256\n")


def write_secret(path: Path, text: str) -> None:
    """What a secrets manager does: a new file renamed over the old one."""
    fresh = path.with_suffix(".new")
    fresh.write_text(text + "\n")
    fresh.chmod(0o600)
    fresh.replace(path)


def file_config(tmp_path: Path, key: str, secret: Path, **storage: str) -> Config:
    """A config whose storage.`key` comes from `secret` (a `<key>_file` line in chatd.toml)."""
    values = {"database": f"sqlite:///{tmp_path}/chatd.db", "media": f"file:///{tmp_path}/media", **storage}
    values.pop(key)
    return parse({"server": {"data_dir": str(tmp_path)}, "storage": {**values, f"{key}_file": str(secret)}}, {})


@pytest.fixture
async def password_pg(pg_cluster: PgCluster) -> PgCluster:  # noqa: F811
    (pg_cluster.data / "pg_hba.conf").write_text(PASSWORD_HBA)
    admin = await asyncpg.connect(pg_cluster.url, timeout=10)
    try:
        await admin.execute("SELECT pg_reload_conf()")
        await admin.execute("CREATE ROLE chatd LOGIN PASSWORD 'password-A'")
        await admin.execute("CREATE DATABASE chatd OWNER chatd")
    finally:
        await admin.close()
    return pg_cluster


@pytest.fixture
def acl_redis(tmp_path: Path) -> Iterator[RedisServer]:
    from tests.conftest import need_server

    try:
        server = RedisServer(tmp_path / "redis")
        server.start()
    except (FileNotFoundError, RuntimeError) as err:
        need_server("redis-server", err)
    try:
        yield server
    finally:
        server.stop()
