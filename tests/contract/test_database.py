"""The SQL core on both engines: atomic writes, isolated failures in a group
commit, events handed on only after commit, schema version refusal."""

import asyncio
import sqlite3
import threading

import asyncpg
import msgspec
import pytest

from chatd.storage.ports.events import EventNote
from chatd.storage.sql.db import open_database
from chatd import clock
from chatd.domain import Message
from chatd.storage.sql.events import SqlEventStore, append_event
from chatd.storage.sql.migrate import SchemaTooNew, migrate


@pytest.fixture
async def db(database_url):
    database = open_database(database_url)
    await database.start()
    yield database
    await database.close()


async def insert_user(conn, name: str) -> None:
    await conn.execute(
        "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)"
        " VALUES ($1, $2, $3, 'x', 0, 0)",
        name,
        name,
        name,
    )


async def count_users(db) -> int:
    return await db.read(lambda c: c.fetchval("SELECT count(*) FROM users"))


async def test_a_failing_write_undoes_only_itself(db):
    async def good(name):
        return await db.write(lambda c: insert_user(c, name))

    async def bad(c):
        await insert_user(c, "half")
        raise ValueError("refused")

    results = await asyncio.gather(good("a"), db.write(bad), good("b"), return_exceptions=True)
    assert isinstance(results[1], ValueError)
    assert results[0] is None and results[2] is None
    names = await db.read(lambda c: c.fetch("SELECT username FROM users ORDER BY username"))
    assert [r["username"] for r in names] == ["a", "b"]


async def test_constraint_violation_reaches_the_caller_and_changes_nothing(db):
    await db.write(lambda c: insert_user(c, "dup"))
    with pytest.raises(Exception):
        await db.write(lambda c: insert_user(c, "dup"))
    assert await count_users(db) == 1


async def test_events_are_handed_on_after_commit_only(db):
    seen: list[list[EventNote]] = []
    db.on_commit = seen.append

    async def ok(c):
        await insert_user(c, "u1")
        await append_event(c, "user.updated", {"id": "u1"}, user_id="u1")

    async def fails(c):
        await append_event(c, "user.updated", {"id": "ghost"}, user_id="ghost")
        raise RuntimeError("no")

    await asyncio.gather(db.write(ok), db.write(fails), return_exceptions=True)
    notes = [n for batch in seen for n in batch]
    assert [n.user_id for n in notes] == ["u1"]
    assert notes[0].event.type == "user.updated" and notes[0].event.payload == {"id": "u1"}
    stored = await db.read(lambda c: c.fetch("SELECT seq, user_id FROM events"))
    assert [(r["seq"], r["user_id"]) for r in stored] == [(notes[0].event.seq, "u1")]


async def test_a_committed_events_frame_is_the_event_as_the_log_answers_it(db):
    """The payload is encoded once, for the log's column and the live frame
    alike: the frame the bus sends is byte for byte the encoded Event, and
    what /sync and a resume answer for that seq."""
    seen: list[list[EventNote]] = []
    db.on_commit = seen.append
    message = Message(id="m1", conversation_id="c1", sender_id="u1", seq=3, client_id="k", kind="text",
                      body='caf\u00e9 "quoted" \\ \n \u2028 \U0001f600', reply_to=None, attachments=["a1"],
                      mentions=["u2"], reactions={"\U0001f44d": ["u2"]}, created_at=clock.now())

    async def run(c):
        await insert_user(c, "u1")
        await append_event(c, "message.created", message, conversation_id="c1")
        await append_event(c, "user.updated", {"id": "u1", "n": 1.5, "none": None}, user_id="u1")

    await db.write(run)
    notes = [n for batch in seen for n in batch]
    assert len(notes) == 2 and all(n.frame is not None for n in notes)
    logged = {n.event.seq: n for n in await SqlEventStore(db).between(0, 10**9, 10)}
    for note in notes:
        assert note.frame == msgspec.json.encode(note.event)
        assert note.frame == msgspec.json.encode(logged[note.event.seq].event)
    assert msgspec.json.decode(notes[0].frame)["payload"] == msgspec.to_builtins(message)


async def test_event_seqs_increase_in_commit_order_under_concurrency(db):
    seen: list[int] = []
    db.on_commit = lambda notes: seen.extend(n.event.seq for n in notes)

    async def one(i):
        await db.write(lambda c: append_event(c, "test", {"i": i}, user_id="x"))

    await asyncio.gather(*(one(i) for i in range(50)))
    assert sorted(seen) == list(range(1, 51))


async def test_migrate_is_idempotent_and_refuses_newer_schema(database_url):
    assert await migrate(database_url) == []
    future = "2099-01-01T00:00:00:000000"
    db = open_database(database_url)
    await db.start()
    try:
        await db.write(
            lambda c: c.execute(
                "INSERT INTO migration (name, app_name, ran_on) VALUES ($1, 'chatd', $2)", future, _now_value(c)
            )
        )
        with pytest.raises(SchemaTooNew, match="newer chatd"):
            await migrate(database_url)
    finally:
        # The PostgreSQL database is shared by the whole session: leave it as found.
        await db.write(lambda c: c.execute("DELETE FROM migration WHERE name = $1", future))
        await db.close()
    assert await migrate(database_url) == []


def _now_value(conn):
    import datetime

    now = datetime.datetime.now()
    return now.isoformat(sep=" ") if conn.dialect == "sqlite" else now


async def test_close_finishes_queued_writes_then_refuses_new_ones(database_url):
    db = open_database(database_url)
    await db.start()
    writes = [asyncio.ensure_future(db.write(lambda c, i=i: insert_user(c, f"q{i}"))) for i in range(20)]
    await asyncio.sleep(0)  # queued, not yet committed
    await db.close()
    assert all(w.done() and w.exception() is None for w in writes)
    with pytest.raises(RuntimeError):
        await db.write(lambda c: insert_user(c, "late"))
    db = open_database(database_url)
    await db.start()
    try:
        assert await count_users(db) == 20
    finally:
        await db.close()


async def test_postgres_takes_the_event_lock_only_after_every_row_lock(postgres_url):
    """Taken mid-transaction, the log lock would invert the lock order with a
    writer that holds a row this transaction wants next (a deadlock).
    PostgreSQL only: SQLite has one writer and no such lock."""
    db = open_database(postgres_url)
    await db.start()
    held_during: list[int] = []

    async def write(c):
        await insert_user(c, "locker")
        await append_event(c, "user.updated", {"id": "locker"}, user_id="locker")
        held_during.append(await c.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"))
        await c.execute("UPDATE users SET bio = 'after the event' WHERE id = 'locker'")

    try:
        seen: list = []
        db.on_commit = seen.extend
        await db.write(write)
        assert held_during == [0]
        assert [n.event.type for n in seen] == ["user.updated"]
    finally:
        await db.write(lambda c: c.execute("DELETE FROM users WHERE id = 'locker'"))
        await db.close()


# Events reach the bus (so sockets) only after COMMIT: when `on_commit` runs,
# another connection must already see the event row. Checked synchronously
# from a separate connection inside the hook, so the write is frozen exactly
# where the hook is called: a hook called before COMMIT fails every run, on
# either engine, not only when timing happens to expose it.

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


async def test_a_grouped_write_answers_each_caller_with_its_own_outcome(db):
    """`write_grouped` on both engines (PostgreSQL batches the callers of one
    `run`; SQLite writes each alone, inside its own group commit)."""
    batches: list[list[str]] = []

    async def run(conn, names):
        batches.append(list(names))
        out: list = []
        for name in names:
            if name == "bad":
                out.append(ValueError(name))
            else:
                await insert_user(conn, name)
                out.append(name)
        return out

    results = await asyncio.gather(*(db.write_grouped(run, n) for n in ["g1", "bad", "g2"]), return_exceptions=True)
    assert results[:1] + results[2:] == ["g1", "g2"] and isinstance(results[1], ValueError)
    assert await count_users(db) == 2
    assert len(batches) == (1 if db.dialect == "postgres" else 3)


async def test_a_failing_rerunnable_write_undoes_only_itself_and_events_go_out_once(db):
    """Sends are `write_rerunnable`: SQLite runs them without a savepoint
    and, when one fails, runs the whole batch again, each write guarded. The
    others still commit once, with one event each, and the failed one leaves
    nothing behind."""
    seen: list[EventNote] = []
    db.on_commit = seen.extend

    def good(name: str, rerunnable: bool = True):
        async def run(c):
            await insert_user(c, name)
            await append_event(c, "user.updated", {"id": name}, user_id=name)
            return name

        return db.write_rerunnable(run) if rerunnable else db.write(run)

    async def bad(c):
        await insert_user(c, "half")
        await append_event(c, "user.updated", {"id": "half"}, user_id="half")
        raise ValueError("refused")

    results = await asyncio.gather(
        good("a"), db.write_rerunnable(bad), good("b"), good("c", rerunnable=False), good("d"),
        return_exceptions=True,
    )
    assert results[:1] + results[2:] == ["a", "b", "c", "d"] and isinstance(results[1], ValueError)
    names = await db.read(lambda c: c.fetch("SELECT username FROM users ORDER BY username"))
    assert [r["username"] for r in names] == ["a", "b", "c", "d"]
    assert sorted(n.user_id for n in seen) == ["a", "b", "c", "d"]
    stored = await db.read(lambda c: c.fetch("SELECT seq, user_id FROM events ORDER BY seq"))
    assert [(r["seq"], r["user_id"]) for r in stored] == sorted((n.event.seq, n.user_id) for n in seen)


async def test_postgres_sends_nothing_after_commit_when_a_connection_goes_back(postgres_url):
    """asyncpg's default reset on release is a query (unlock, CLOSE ALL,
    UNLISTEN, RESET ALL): a round trip after every COMMIT, before a batch's
    callers hear and before on_commit tells the sockets. chatd keeps no
    session state, so COMMIT is the last thing a write sends; a failed
    write's transaction is still rolled back, never left open."""
    db = open_database(postgres_url)
    await db.start()

    async def last_of(pid: int) -> tuple[str, str]:
        conn = await asyncpg.connect(postgres_url)
        try:
            row = await conn.fetchrow("SELECT state, query FROM pg_stat_activity WHERE pid = $1", pid)
        finally:
            await conn.close()
        return row["state"], row["query"].strip().rstrip(";").upper()

    pids: list[int] = []

    async def fails(c):
        pids.append(await c.fetchval("SELECT pg_backend_pid()"))
        raise RuntimeError("the write's own bug")

    try:
        pid = await db.write(lambda c: c.fetchval("SELECT pg_backend_pid()"))
        assert await last_of(pid) == ("idle", "COMMIT")
        with pytest.raises(RuntimeError):
            await db.write(fails)
        assert await last_of(pids[0]) == ("idle", "ROLLBACK")
    finally:
        await db.close()


async def test_postgres_tells_of_a_commit_before_giving_the_connection_back(postgres_url):
    """asyncpg releases a connection in a task of its own (two loop turns):
    the sockets and the Redis fan-out hear of a commit without waiting for it."""
    db = open_database(postgres_url)
    await db.start()
    idle_when_told: list[int] = []
    db.on_commit = lambda notes: idle_when_told.append(db._pool.get_idle_size())
    try:
        await db.write(lambda c: append_event(c, "test", {"i": 1}, user_id="x"))
        assert idle_when_told == [0]  # the write's connection (the pool's only one) still held
        assert db._pool.get_size() == 1 and db._pool.get_idle_size() == 1
    finally:
        await db.close()
