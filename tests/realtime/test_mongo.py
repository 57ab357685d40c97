"""The served app with its conversation side on MongoDB (SecantusDB, see
tests/mongo_server.py) and accounts on SQLite: concurrent senders reach
every socket in seq order, a resume is exact, and an account-side event
(a block, written in SQL) reaches the same log and the live socket."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.mongo_server import mongo_url
from tests.realtime.conftest import CONFIG, Api, Sock
from tests.realtime.test_postgres import racing_senders_arrive_in_order_and_resume_exactly

# Always on MongoDB: the same test in every backend pass.
pytestmark = pytest.mark.one_backend


@pytest.fixture
def mongo_served(tmp_path: Path, mongo_server: str):
    config = {**CONFIG, "storage": {"messages": mongo_url(mongo_server)}}
    server = ServerProcess(tmp_path / "mongo", config=config, env=BENCH_ENV)
    asyncio.run(server.start())
    yield server
    server.stop()


async def test_concurrent_senders_on_mongodb_arrive_in_order_and_resume_exactly(mongo_served):
    api = Api(mongo_served.url)
    try:
        people, watcher, seqs = await racing_senders_arrive_in_order_and_resume_exactly(mongo_served.url, api)
        # Contacts stay in SQL; their events join the MongoDB log (relay.py),
        # live and on resume, after everything above.
        await api.call(people[0], "POST", f"/api/v1/contacts/{people[3].id}/block", expect=200)
        blocked = await watcher.until(lambda f: f.get("type") == "contact.updated")
        assert blocked["payload"]["status"] == "blocked" and blocked["seq"] > seqs[-1]
        again = await Sock.open(mongo_served.url, people[0], since=str(seqs[-1]))
        replayed, _ = await again.ready()
        assert [e["seq"] for e in replayed if e["type"] == "contact.updated"] == [blocked["seq"]]
        for s in (watcher, again):
            await s.close()
    finally:
        await api.http.aclose()
