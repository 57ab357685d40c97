"""migrate-data refuses what would mix or lose data: a target that holds
chatd data (unless --overwrite-target), a source a server is using, and a
target that is the source; none of them changes anything."""

from __future__ import annotations

import asyncio
from pathlib import Path

from litestar.testing import AsyncTestClient

from chatd.app import create_app
from tests.conftest import register
from tests.data_move.helpers import migrate_data, pg_database, write_config
from tests.data_move.seed import carries_on, export, seed


async def _count(url: str, table: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(f"SELECT count(*) FROM {table}")
    finally:
        await conn.close()


def test_nonempty_target_refused_then_overwritten(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path}/a.db")
    tokens = asyncio.run(seed(cfg, messages=5))
    with pg_database() as pg:
        other = write_config(tmp_path / "other.toml", pg)

        async def someone_else() -> None:
            async with AsyncTestClient(create_app(other)) as c:
                await register(c, "zed")

        asyncio.run(someone_else())
        refused = migrate_data(tmp_path / "a.toml", "--to", pg)
        assert refused.returncode == 2, refused.stderr
        assert "already holds chatd data" in refused.stderr and "--overwrite-target" in refused.stderr
        assert asyncio.run(_count(pg, "users")) == 1 and asyncio.run(_count(pg, "messages")) == 0
        done = migrate_data(tmp_path / "a.toml", "--to", pg, "--overwrite-target")
        assert done.returncode == 0, done.stderr
        before = asyncio.run(export(cfg, tokens))
        assert asyncio.run(export(other, tokens)) == before
        new = asyncio.run(carries_on(other, tokens, before["ann"]["cursor"]))  # PostgreSQL's sequence was set
        assert [e["type"] for e in new] == ["message.created"]
        again = migrate_data(tmp_path / "a.toml", "--to", pg)  # a finished copy is data like any other
        assert again.returncode == 2 and "already holds chatd data" in again.stderr


def test_source_in_use_refused(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path}/a.db")
    asyncio.run(seed(cfg, messages=1))

    async def while_serving() -> None:
        async with AsyncTestClient(create_app(cfg)):
            done = await asyncio.to_thread(migrate_data, tmp_path / "a.toml", "--to", f"sqlite:///{tmp_path}/b.db")
            assert done.returncode == 2, done.stderr
            assert "in use" in done.stderr and "stop it first" in done.stderr

    asyncio.run(while_serving())
    assert not (tmp_path / "b.db").exists()  # refused before the target was made
    assert migrate_data(tmp_path / "a.toml", "--to", f"sqlite:///{tmp_path}/b.db").returncode == 0


def test_target_is_the_source(tmp_path: Path) -> None:
    write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path}/a.db")
    done = migrate_data(tmp_path / "a.toml", "--to", f"sqlite:///{tmp_path}/../{tmp_path.name}/a.db")
    assert done.returncode == 2 and "already uses" in done.stderr
    bad = migrate_data(tmp_path / "a.toml", "--to", "mysql://x")
    assert bad.returncode == 2 and "--to must be" in bad.stderr


def test_postgres_source_in_use_refused(tmp_path: Path) -> None:
    import asyncpg

    with pg_database() as pg:
        cfg = write_config(tmp_path / "a.toml", pg)
        asyncio.run(seed(cfg, messages=1))

        async def while_connected() -> None:
            held = await asyncpg.connect(pg)  # a server's pool, as far as PostgreSQL can tell
            try:
                done = await asyncio.to_thread(migrate_data, tmp_path / "a.toml", "--to", f"sqlite:///{tmp_path}/b.db")
                assert done.returncode == 2 and "other connection(s) use this database" in done.stderr, done.stderr
            finally:
                await held.close()

        asyncio.run(while_connected())
        assert migrate_data(tmp_path / "a.toml", "--to", f"sqlite:///{tmp_path}/b.db").returncode == 0


def test_sqlite_target_overwritten_keeps_search(tmp_path: Path) -> None:
    """--overwrite-target on SQLite also empties its search index: search
    answers from the copied messages only."""
    cfg = write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path}/a.db")
    tokens = asyncio.run(seed(cfg, messages=4))
    other = write_config(tmp_path / "b.toml", f"sqlite:///{tmp_path}/b.db")
    asyncio.run(seed(other, messages=9))  # different data, and different words indexed
    done = migrate_data(tmp_path / "a.toml", "--to", f"sqlite:///{tmp_path}/b.db", "--overwrite-target")
    assert done.returncode == 0, done.stderr
    assert asyncio.run(export(other, tokens)) == asyncio.run(export(cfg, tokens))


def test_mongo_source_with_unmoved_account_events_refused(tmp_path: Path, mongo_server: str) -> None:
    """With the conversation side on MongoDB, account events wait in SQL until
    the relay moves them; a copy then would lose them, so it is refused."""
    import sqlite3

    from tests.mongo_server import drop_mongo_database, mongo_url

    mongo = mongo_url(mongo_server)
    cfg = write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path}/a.db", mongo)
    try:
        asyncio.run(seed(cfg, messages=1))
        raw = sqlite3.connect(tmp_path / "a.db")  # as if chatd stopped before the relay ran
        with raw:
            raw.execute("INSERT INTO events (type, payload, created_at) VALUES ('user.updated', '{}', 0)")
        raw.close()
        done = migrate_data(tmp_path / "a.toml", "--to", f"sqlite:///{tmp_path}/b.db")
        assert done.returncode == 2 and "have not moved into the MongoDB log" in done.stderr, done.stderr
    finally:
        asyncio.run(drop_mongo_database(mongo, mongo.rsplit("/", 1)[1].split("?")[0]))


def test_another_programs_database_left_alone(tmp_path: Path) -> None:
    import sqlite3

    asyncio.run(seed(write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path}/a.db"), messages=1))
    raw = sqlite3.connect(tmp_path / "theirs.db")
    raw.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    raw.commit()
    raw.close()
    done = migrate_data(tmp_path / "a.toml", "--to", f"sqlite:///{tmp_path}/theirs.db")
    assert done.returncode == 2 and "not chatd's (invoices)" in done.stderr, done.stderr
    raw = sqlite3.connect(tmp_path / "theirs.db")
    assert [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["invoices"]
    raw.close()
