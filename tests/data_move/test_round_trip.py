"""SQLite -> PostgreSQL -> (conversation side on) MongoDB -> SQLite, each
step by `chatd migrate-data`: every client sees the same data at each stop
(users, sessions and API tokens still valid, device keys and key backups, conversations, messages with
envelopes, reactions, reads, attachments with their bytes, the sync log with
its cursors, flags and settings), and the command's own per-collection
checksums agree too."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from tests.data_move.helpers import migrate_data, pg_database, write_config
from tests.data_move.seed import carries_on, export, seed
from tests.mongo_server import drop_mongo_database, mongo_url


def _tallies(stdout: str) -> dict[str, tuple[str, str]]:
    return {m[1]: (m[2], m[3]) for m in re.finditer(r"^  (\w+)\s+([\d,]+)\s+([0-9a-f]{16})$", stdout, re.M)}


def _step(config: Path, *args: str) -> dict[str, tuple[str, str]]:
    done = migrate_data(config, *args)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "database = " in done.stdout and "messages = " in done.stdout  # the lines to switch
    return _tallies(done.stdout)


def test_sqlite_postgres_mongo_sqlite_identical(tmp_path: Path, mongo_server: str) -> None:
    media = f"file:///{tmp_path}/media"
    first = write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path}/a.db", media=media)
    tokens = asyncio.run(seed(first))
    before = asyncio.run(export(first, tokens))
    assert before["attachment"][0] == 200 and len(before["ann"]["sync"]) > 60
    source_bytes = (tmp_path / "a.db").read_bytes()
    with pg_database() as pg:
        mongo = mongo_url(mongo_server)
        try:
            t1 = _step(tmp_path / "a.toml", "--to", pg)
            assert (tmp_path / "a.db").read_bytes() == source_bytes  # the source is only read
            second = write_config(tmp_path / "b.toml", pg, media=media)
            assert asyncio.run(export(second, tokens)) == before
            t2 = _step(tmp_path / "b.toml", "--to", f"sqlite:///{tmp_path}/c.db", "--messages-to", mongo)
            third = write_config(tmp_path / "c.toml", f"sqlite:///{tmp_path}/c.db", mongo, media=media)
            assert asyncio.run(export(third, tokens)) == before
            t3 = _step(tmp_path / "c.toml", "--to", f"sqlite:///{tmp_path}/d.db")
            fourth = write_config(tmp_path / "d.toml", f"sqlite:///{tmp_path}/d.db", media=media)
            assert asyncio.run(export(fourth, tokens)) == before
            new = asyncio.run(carries_on(fourth, tokens, before["ann"]["cursor"]))
            assert [e["type"] for e in new] == ["message.created"]
            assert new[0]["seq"] > max(e["seq"] for e in before["ann"]["sync"])
        finally:
            asyncio.run(drop_mongo_database(mongo, mongo.rsplit("/", 1)[1].split("?")[0]))
    assert len(t1) == 21 and t1 == t2 == t3, (t1, t2, t3)
