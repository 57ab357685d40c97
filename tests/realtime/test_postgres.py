"""The served app on PostgreSQL: concurrent senders (one transaction each,
on_commit callbacks in any order) still reach every socket in seq order,
and a resume is exact."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.conftest import _truncate
from tests.realtime.conftest import CONFIG, Api, Sock

# Always on PostgreSQL: the same test in every backend pass.
pytestmark = pytest.mark.one_backend


@pytest.fixture
def pg_server(tmp_path: Path, postgres_url: str):
    asyncio.run(_truncate(postgres_url))
    server = ServerProcess(tmp_path / "pg", database=postgres_url, config=CONFIG, env=BENCH_ENV)
    asyncio.run(server.start())
    yield server
    server.stop()


async def racing_senders_arrive_in_order_and_resume_exactly(url: str, api: Api) -> tuple[list, Sock, list[int]]:
    """4 senders x 15 messages at once: a watching socket gets them in seq
    order, a resume from an earlier cursor replays exactly those. Returns the
    people, the (open) watching socket and the seqs it saw."""
    people = [await api.user("p") for _ in range(4)]
    conv = await api.group(*people)
    watcher = await Sock.open(url, people[0])
    await watcher.ready()
    late = await Sock.open(url, people[1])
    _, late_cursor = await late.ready()
    await late.close()

    async def burst(who, n: int) -> list[dict]:
        return [await api.post(who, conv, f"{who.name} {i}") for i in range(n)]

    sent = [m for batch in await asyncio.gather(*[burst(p, 15) for p in people]) for m in batch]
    live = await watcher.collect("message.created", 60)
    seqs = [e["seq"] for e in live]
    assert seqs == sorted(seqs) and len(live) == len(sent) == 60
    assert [e["payload"]["seq"] for e in live] == list(range(1, 61))  # the conversation's own order too

    resumed = await Sock.open(url, people[1], since=late_cursor)
    replayed, _ = await resumed.ready()
    assert [e["payload"]["id"] for e in replayed if e["type"] == "message.created"] == \
        [e["payload"]["id"] for e in live]
    await resumed.close()
    return people, watcher, seqs


async def test_concurrent_senders_on_postgresql_arrive_in_order_and_resume_exactly(pg_server):
    api = Api(pg_server.url)
    try:
        _, watcher, _ = await racing_senders_arrive_in_order_and_resume_exactly(pg_server.url, api)
        await watcher.close()
    finally:
        await api.http.aclose()
