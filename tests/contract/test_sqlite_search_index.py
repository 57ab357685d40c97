"""SQLite's search index is filled at commit, not by an INSERT trigger
(migration 2026-11-25T02): whatever a batch does to its own new messages,
and whatever the newest message's row_id does, the index must match the
messages exactly. FTS5's integrity-check compares the two."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3

import pytest

from chatd import clock
from chatd.domain import Message
from chatd.ids import new_id
from chatd.storage.build import open_stores
from chatd.storage.ports.messages import NoConversation
from chatd.storage.sql.db import to_sqlite
from chatd.storage.sql.message_rows import INSERT_MESSAGE, row_values
from chatd.storage.sql.migrate import migrate
from tests.conftest import make_config
from tests.contract.test_messages import draft, seed
from tests.sql_handle import sql_db


@pytest.fixture
async def stores(tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    s = await open_stores(make_config(tmp_path, f"sqlite:///{tmp_path / 'chatd.db'}"), run_migrations=False)
    await seed(s)
    yield s
    await s.close()


async def index_matches(stores) -> bool:
    # Raises "database disk image is malformed" when index and table differ.
    await sql_db(stores).write(lambda c: c.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')"))
    return True


async def found(stores, text: str) -> list[str]:
    return [m.body for m in await stores.messages.search("ann", text)]


def message(body: str, seq: int) -> Message:
    return Message(id=new_id(), conversation_id="c1", sender_id="ann", seq=seq, client_id=new_id(), body=body,
                   created_at=clock.now())


async def test_a_message_edited_and_tombstoned_in_the_batch_that_added_it(stores):
    edited, gone = message("first draft", 1), message("never meant", 2)

    async def run(c):
        await c.execute(INSERT_MESSAGE, *row_values(edited))
        await c.execute(INSERT_MESSAGE, *row_values(gone))
        await c.execute("UPDATE messages SET body = 'final words' WHERE id = $1", edited.id)
        await c.execute("UPDATE messages SET body = NULL WHERE id = $1", gone.id)

    await sql_db(stores).write(run)
    assert await found(stores, "final") == ["final words"]
    assert await found(stores, "draft") == []
    assert await found(stores, "meant") == []
    assert await index_matches(stores)


async def test_edits_of_committed_messages_reach_the_index(stores):
    m, _ = await stores.messages.append(draft("a", "lunch at noon"))
    await stores.messages.edit(m.id, expected_version=1, at=clock.now(), body="lunch at one")
    assert await found(stores, "one") == ["lunch at one"]
    assert await found(stores, "noon") == []
    await stores.messages.delete(m.id, at=clock.now())
    assert await found(stores, "lunch") == []
    assert await index_matches(stores)


async def test_the_newest_message_deleted_then_its_row_id_reused(stores):
    old, _ = await stores.messages.append(draft("a", "orange submarine"))
    row_id = await sql_db(stores).read(lambda c: c.fetchval("SELECT row_id FROM messages WHERE id = $1", old.id))
    await sql_db(stores).write(lambda c: c.execute("DELETE FROM messages WHERE id = $1", old.id))
    new, _ = await stores.messages.append(draft("b", "purple zeppelin"))
    assert await sql_db(stores).read(lambda c: c.fetchval("SELECT row_id FROM messages WHERE id = $1", new.id)) == row_id
    assert await found(stores, "zeppelin") == ["purple zeppelin"]
    assert await found(stores, "submarine") == []
    assert await index_matches(stores)


async def test_a_failed_send_in_a_batch_leaves_the_others_indexed(stores):
    results = await asyncio.gather(
        stores.messages.append(draft("a", "kept alpha")),
        stores.messages.append(draft("b", "lost beta", cid="missing")),
        stores.messages.append(draft("c", "kept gamma")),
        return_exceptions=True,
    )
    assert isinstance(results[1], NoConversation)
    assert sorted(await found(stores, "kept")) == ["kept alpha", "kept gamma"]
    assert await found(stores, "beta") == []
    assert await index_matches(stores)


async def test_upgrading_keeps_what_the_trigger_indexed(tmp_path):
    path = tmp_path / "chatd.db"
    url = f"sqlite:///{path}"
    await migrate(url, upto="2026-11-25T01:00:00:000000")
    # Written as the previous chatd did: its INSERT trigger indexes the message.
    before = message("indexed by the trigger", 1)
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)"
                    " VALUES ('ann', 'ann', 'ann', 'x', 0, 0)")
        raw.execute("INSERT INTO conversations (id, kind, created_by, created_at, updated_at, last_seq)"
                    " VALUES ('c1', 'group', 'ann', 0, 0, 1)")
        raw.execute("INSERT INTO members (conversation_id, user_id, role, joined_at) VALUES ('c1', 'ann', 'member', 0)")
        raw.execute(to_sqlite(INSERT_MESSAGE), row_values(before))
    raw.close()

    await migrate(url)
    s = await open_stores(make_config(tmp_path, url), run_migrations=False)
    try:
        assert await found(s, "trigger") == ["indexed by the trigger"]
        await s.messages.edit(before.id, expected_version=1, at=clock.now(), body="edited after the upgrade")
        await s.messages.append(draft("b", "sent after the upgrade"))
        assert sorted(await found(s, "upgrade")) == ["edited after the upgrade", "sent after the upgrade"]
        assert await found(s, "trigger") == []
        assert await index_matches(s)
    finally:
        await s.close()


async def test_a_failure_while_indexing_at_commit_undoes_the_whole_batch(stores):
    # Break the indexing step behind the store's back: the commit must then
    # fail for every caller of the batch, and nothing of it may be stored.
    with sqlite3.connect(sql_db(stores).path) as raw:
        raw.execute("ALTER TABLE messages_fts_indexed RENAME TO moved_away")
    raw.close()
    events_before = await stores.events.latest()
    results = await asyncio.gather(
        stores.messages.append(draft("a", "first of the batch")),
        stores.messages.append(draft("b", "second of the batch")),
        return_exceptions=True,
    )
    assert all(isinstance(r, sqlite3.OperationalError) for r in results), results
    assert await sql_db(stores).read(lambda c: c.fetchval("SELECT count(*) FROM messages")) == 0
    assert await sql_db(stores).read(lambda c: c.fetchval("SELECT last_seq FROM conversations WHERE id = 'c1'")) == 0
    assert await stores.events.latest() == events_before
