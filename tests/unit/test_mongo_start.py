"""Starting with storage.messages = "mongodb://...": a server without
transactions is refused with the line that tells how to fix it, one that
does not answer fails cleanly, a real one gets its recorded migrations."""

from __future__ import annotations

from chatd.storage.mongo.migrations import MIGRATIONS
from tests.conftest import make_config
from tests.mongo_server import mongo_url, secantus
from tests.unit.test_cli import chatd


def config_file(tmp_path, url: str) -> None:
    (tmp_path / "chatd.toml").write_text(f'[storage]\nmessages = "{url}"\n')


def test_a_server_without_transactions_is_refused_with_the_replica_set_recipe(tmp_path):
    with secantus(tmp_path, "--standalone") as server:
        config_file(tmp_path, mongo_url(server))
        result = chatd("serve", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "does not run transactions" in result.stderr and "--replSet rs0" in result.stderr
    assert "rs.initiate()" in result.stderr


def test_a_server_that_does_not_answer_fails_cleanly(tmp_path):
    config_file(tmp_path, "mongodb://127.0.0.1:9/chatd?serverSelectionTimeoutMS=300")
    result = chatd("serve", cwd=tmp_path)
    assert result.returncode == 1
    assert "storage.messages: MongoDB at mongodb://127.0.0.1:9/chatd" in result.stderr
    assert "Traceback" not in result.stderr


async def test_migrations_are_numbered_recorded_and_run_once(tmp_path, mongo_server):
    from chatd.storage.build import open_stores

    config = make_config(tmp_path, storage={"messages": mongo_url(mongo_server)})
    for _ in range(2):
        stores = await open_stores(config)
        backend = stores.backends["messages"]
        try:
            done = [d async for d in backend.db.chatd_migrations.find({})]
            assert [d["_id"] for d in done] == [n for n, _, _ in MIGRATIONS] == [1]
            names = {i["name"] async for i in await backend.db.messages.list_indexes()}
            assert {"conversation_seq", "sender_client_id"} <= names
            assert backend.text_search is False  # SecantusDB: error 67, detected, not assumed
        finally:
            await stores.close()
