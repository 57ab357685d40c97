"""Move SQLite's WAL checkpoints off the commit path.

By default the connection that commits also checkpoints whenever the WAL
passes 1,000 pages: that COMMIT then copies pages into the database file and
fsyncs it, and every message in the batch waits for it (the latency tail).
The writer turns that off; this task checkpoints PASSIVE-ly (never blocking
the writer or readers) from its own connection and thread, twice a second.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger("chatd.sqlite")

INTERVAL = 0.5  # seconds between checkpoints
# After a checkpoint has caught up, SQLite truncates a WAL bigger than this.
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024


class Checkpointer:
    def __init__(self, path: Path):
        from chatd.storage.sql.sqlite import connect

        self._conn = connect(path)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatd-sqlite-checkpoint")
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="chatd-sqlite-checkpoint")

    async def checkpoint(self) -> None:
        await asyncio.get_running_loop().run_in_executor(
            self._thread, self._conn.execute, "PRAGMA wal_checkpoint(PASSIVE)"
        )

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(INTERVAL)
            try:
                await self.checkpoint()
            except Exception:  # noqa: BLE001 - the next round tries again; WAL just grows meanwhile
                log.exception("WAL checkpoint failed")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self._thread.shutdown()  # waits for a checkpoint in flight
        self._conn.close()
