"""Events are handed on (to the bus, hence to sockets) only after COMMIT:
at the moment `on_commit` runs, another connection must already see the
event row. Checked synchronously from a separate connection inside the
hook, so the write is frozen exactly where the hook is called: calling it
inside the transaction (before COMMIT) fails this on either engine, every
run, not only when timing happens to expose it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import asyncpg
import pytest

from chatd.storage.sql.db import open_database
from chatd.storage.sql.events import append_event


def committed_seqs_elsewhere(url: str) -> set[int]:
    """Event seqs a separate connection sees right now (blocks the caller)."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return {row[0] for row in conn.execute("SELECT seq FROM events")}
        finally:
            conn.close()
    out: set[int] = set()

    async def read() -> None:
        conn = await asyncpg.connect(url)
        try:
            out.update(r["seq"] for r in await conn.fetch("SELECT seq FROM events"))
        finally:
            await conn.close()

    # Its own thread and loop: the test's loop stays frozen inside the hook.
    thread = threading.Thread(target=lambda: asyncio.run(read()))
    thread.start()
    thread.join(10)
    return out


@pytest.fixture
async def db(database_url):
    database = open_database(database_url)
    await database.start()
    yield database
    await database.close()


async def test_on_commit_runs_only_once_the_event_is_committed(db, database_url):
    checked: list[tuple[int, bool]] = []

    def hook(notes) -> None:
        visible = committed_seqs_elsewhere(database_url)
        checked.extend((n.event.seq, n.event.seq in visible) for n in notes)

    db.on_commit = hook

    async def one(i: int) -> None:
        await db.write(lambda c: append_event(c, "test", {"i": i}, user_id="x"))

    await asyncio.gather(*(one(i) for i in range(5)))
    assert len(checked) == 5
    assert all(visible for _, visible in checked), checked
