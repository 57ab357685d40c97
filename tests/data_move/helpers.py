"""Setups for the migrate-data tests: chatd.toml files, throwaway PostgreSQL
databases (CREATE DATABASE on the test server, dropped after), and the
command itself run as a real process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from chatd.config import Config, load
from tests.conftest import PG_ADMIN_URL, need_server


def write_config(path: Path, database: str, messages: str = "database", media: str | None = None) -> Config:
    media = media or f"file:///{path.parent}/media"
    path.write_text(f'[server]\ndata_dir = "{path.parent}"\n[storage]\ndatabase = "{database}"\n'
                    f'messages = "{messages}"\nmedia = "{media}"\n'
                    "[limits]\nmessages_per_minute = 100000\n[media]\ns3_tls = false\n", encoding="utf-8")
    return load(str(path))


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped after it."""
    name = f"chatd_move_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError) as err:
        need_server(f"PostgreSQL at {PG_ADMIN_URL}", err)
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrate_data(config: Path, *args: str, **popen) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chatd", "migrate-data", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "CI": ""}, **popen)


def start_migrate_data(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "chatd", "migrate-data", "--config", str(config), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
