"""An interrupted migrate-data (killed mid-copy, no chance to clean up)
resumes when run again and ends with the same data as the source."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import asyncpg

from tests.data_move.helpers import migrate_data, pg_database, start_migrate_data, write_config
from tests.data_move.seed import export, seed


async def _messages(url: str) -> int:
    try:
        conn = await asyncpg.connect(url)
    except (OSError, asyncpg.PostgresError):
        return 0
    try:
        return await conn.fetchval("SELECT count(*) FROM messages")
    except asyncpg.UndefinedTableError:
        return 0
    finally:
        await conn.close()


def test_killed_midway_then_resumed(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path}/a.db")
    tokens = asyncio.run(seed(cfg, messages=600))
    with pg_database() as pg:
        proc = start_migrate_data(tmp_path / "a.toml", "--to", pg, "--batch", "10")
        deadline = time.monotonic() + 120
        while (copied := asyncio.run(_messages(pg))) < 50:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert copied < 600, "finished before it could be interrupted"
        done = migrate_data(tmp_path / "a.toml", "--to", pg)
        assert done.returncode == 0, done.stderr
        assert "messages: resuming after" in done.stderr and done.stdout.startswith("resumed and copied")
        target = write_config(tmp_path / "b.toml", pg)
        assert asyncio.run(export(target, tokens)) == asyncio.run(export(cfg, tokens))
