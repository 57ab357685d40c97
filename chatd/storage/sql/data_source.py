"""Read-only, consistent access to a SQL store being copied away from, and
the check that no chatd server has it open.

SQLite is opened with mode=ro and read inside one transaction (one
snapshot); PostgreSQL inside one REPEATABLE READ READ ONLY transaction.
Nothing here can write to the source.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from chatd.storage.sql.db import to_sqlite

# SQLite's WAL index: every open connection holds a shared lock on this byte
# of the -shm file (the "dead man switch"), so a write lock there that cannot
# be had means another process has the database open.
_DMS_BYTE = 128


class SourceInUse(Exception):
    """A server (or another program) is using the source right now."""


def sqlite_in_use(path: Path) -> bool:
    shm = Path(f"{path}-shm")
    if not shm.exists():
        return False
    fd = os.open(shm, os.O_RDONLY)
    try:
        probe = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, _DMS_BYTE, 1, 0)
        held = struct.unpack("hhqqi", fcntl.fcntl(fd, fcntl.F_GETLK, probe))
        return held[0] != fcntl.F_UNLCK
    finally:
        os.close(fd)


class SqliteSource:
    dialect = "sqlite"

    def __init__(self, path: Path):
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatd-data-source")
        self._raw: sqlite3.Connection | None = None

    async def start(self) -> None:
        if not self.path.exists():
            raise FileNotFoundError(f"no SQLite database at {self.path}")
        if sqlite_in_use(self.path):
            raise SourceInUse(f"{self.path} is open in another process (a running chatd?): stop it first")

        def open_() -> sqlite3.Connection:
            raw = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None,
                                  check_same_thread=False)
            raw.execute("BEGIN")  # one snapshot for the whole copy
            return raw

        self._raw = await self._run(open_)

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        raw = self._raw
        assert raw is not None
        return await self._run(lambda: raw.execute(to_sqlite(sql), args).fetchall())

    async def close(self) -> None:
        if self._raw is not None:
            await self._run(self._raw.close)
            self._raw = None
        self._thread.shutdown()


class PostgresSource:
    dialect = "postgres"

    def __init__(self, url: str):
        self.url = url
        self._conn: Any = None
        self._tx: Any = None

    async def start(self) -> None:
        import asyncpg

        self._conn = await asyncpg.connect(self.url, timeout=10)
        others = await self._conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        if others:
            await self._conn.close()
            raise SourceInUse(f"{others} other connection(s) use this database (a running chatd?): stop it first")
        self._tx = self._conn.transaction(isolation="repeatable_read", readonly=True)
        await self._tx.start()

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        return await self._conn.fetch(sql, *args)

    async def close(self) -> None:
        if self._conn is not None:
            if self._tx is not None:
                await self._tx.rollback()
            await self._conn.close()
            self._conn = None
