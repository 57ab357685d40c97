"""Move SQLite's WAL checkpoints off the commit path.

By default the connection that commits also checkpoints whenever the WAL
passes 1,000 pages: that COMMIT then copies pages into the database file and
fsyncs it, and every message in the batch waits for it (the latency tail).
The writer turns that off; this task checkpoints PASSIVE-ly (never blocking
the writer or readers) from its own connection and thread, twice a second.

Under steady load that alone never finishes: the writer appends new frames
while the checkpoint copies the old ones, so the WAL is never fully copied,
never starts over, and grows without end (500 MB in 12 s at 3,000 msg/s).
So once the WAL holds more than CATCH_UP_FRAMES, the writer, right after
its next COMMIT has been answered, checkpoints once more: only the pages
written since the background round began (2-11 ms here, mostly the fsync).
Then the WAL is fully copied and the next write starts it from the top.
Below that size the pause is not worth it: quiet moments let the background
round finish by itself.

The WAL file keeps its size when it starts over, so that commits overwrite
blocks the file already has. (SQLite's journal_size_limit would cut it
back at every restart; under load it then grew again at once, and the
commits that extended it waited 8-14 ms each for ext4 to journal the new
size.) Once a whole round passed without a commit, the writer truncates a
WAL bigger than IDLE_WAL_BYTES, giving the disk back. The writer does it,
between batches in its commit thread, because a truncating checkpoint
holds the write lock (~27 ms for 100 MB here): sends arriving meanwhile
wait in the writer's queue instead of in a busy handler on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger("chatd.sqlite")

INTERVAL = 0.5  # seconds between checkpoints
# WAL frames (one page each, 4 KiB by default) beyond which the writer
# finishes a background round: the WAL stays near 64-120 MB under load.
CATCH_UP_FRAMES = 16_000
# A WAL file bigger than this is truncated once writes pause.
IDLE_WAL_BYTES = 4 * 1024 * 1024


class Checkpointer:
    def __init__(self, path: Path):
        from chatd.storage.sql.sqlite import connect

        self._conn = connect(path)
        self._wal = Path(f"{path}-wal")
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatd-sqlite-checkpoint")
        self._task: asyncio.Task[None] | None = None
        self._data_version: int | None = None
        self.catch_up_due = False
        self.truncate_due = False
        self.wake_writer: Callable[[], None] = lambda: None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="chatd-sqlite-checkpoint")

    async def checkpoint(self) -> None:
        in_wal, idle = await asyncio.get_running_loop().run_in_executor(self._thread, self._round)
        self.catch_up_due = in_wal > CATCH_UP_FRAMES
        if idle and self._wal_bytes() > IDLE_WAL_BYTES:
            self.truncate_due = True
            self.wake_writer()

    def _round(self) -> tuple[int, bool]:
        _busy, in_wal, copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        # data_version changes whenever another connection has committed.
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        idle, self._data_version = version == self._data_version, version
        return in_wal, idle and in_wal == copied

    def _wal_bytes(self) -> int:
        try:
            return self._wal.stat().st_size
        except FileNotFoundError:
            return 0

    def catch_up(self, writer: sqlite3.Connection) -> None:
        """In the commit thread, after a COMMIT whose callers have their
        answers, before the writer's next transaction: nothing can append
        meanwhile, so this copy completes the WAL. Never raises: a failure
        only leaves the WAL longer until the next try."""
        self.catch_up_due = False
        try:
            writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            log.exception("WAL catch-up checkpoint failed")

    def truncate(self, writer: sqlite3.Connection) -> None:
        """In the commit thread, between batches, unless a batch has
        committed since the round asked for it. Never raises."""
        self.truncate_due = False
        try:
            writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            log.exception("WAL truncation failed")

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
