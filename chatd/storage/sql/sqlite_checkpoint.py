"""Move SQLite's WAL checkpoints off the commit path.

By default the connection that commits also checkpoints whenever the WAL
passes 1,000 pages: that COMMIT then copies pages into the database file and
fsyncs it, and every message in the batch waits for it (the latency tail).
The writer turns that off; this task checkpoints PASSIVE-ly (never blocking
the writer or readers) from its own connection and thread, twice a second.

Under steady load that alone never finishes: the writer appends new frames
while the checkpoint copies the old ones, so the WAL is never fully copied,
never starts over, and grows without end (500 MB in 12 s at 3,000 msg/s,
each commit extending the file). So once the WAL holds more than
CATCH_UP_FRAMES, the commit thread, right after its next COMMIT and while
the writer waits for it, checkpoints once more: only the pages written
since the background round began (3-11 ms here, mostly the fsync). Then
the WAL is fully copied and the next write starts it from the top. Below
that size the pause is not worth it: quiet moments let the background
round finish by itself.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger("chatd.sqlite")

INTERVAL = 0.5  # seconds between checkpoints
# After a checkpoint has caught up, SQLite truncates a WAL bigger than this.
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
# WAL frames (one page each, 4 KiB by default) beyond which the commit
# thread finishes a background round: the WAL stays near 64 MB.
CATCH_UP_FRAMES = 16_000


class Checkpointer:
    def __init__(self, path: Path):
        from chatd.storage.sql.sqlite import connect

        self._conn = connect(path)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatd-sqlite-checkpoint")
        self._task: asyncio.Task[None] | None = None
        self._catch_up_due = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="chatd-sqlite-checkpoint")

    async def checkpoint(self) -> None:
        _busy, in_wal, _copied = await asyncio.get_running_loop().run_in_executor(self._thread, self._round)
        self._catch_up_due = in_wal > CATCH_UP_FRAMES

    def _round(self) -> tuple[int, int, int]:
        return self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def after_commit(self, writer: sqlite3.Connection) -> None:
        """In the commit thread, right after COMMIT, on the writer's connection.
        Never raises: the batch is committed, and its callers must hear so."""
        if self._catch_up_due:
            self._catch_up_due = False
            try:
                writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                log.exception("WAL catch-up checkpoint failed")

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
