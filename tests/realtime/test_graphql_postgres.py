"""GraphQL subscriptions on PostgreSQL: concurrent senders (commits in any
order) reach a subscriber in seq order, and a resume from a cursor after a
drop is exact."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.conftest import _truncate
from tests.realtime.conftest import CONFIG, Api
from tests.realtime.gql_socket import GqlSocket
from tests.realtime.test_graphql_subscriptions import EVENTS

# Always on PostgreSQL: the same test in every backend pass.
pytestmark = pytest.mark.one_backend


@pytest.fixture
def pg_server(tmp_path: Path, postgres_url: str):
    asyncio.run(_truncate(postgres_url))
    server = ServerProcess(tmp_path / "pg", database=postgres_url, config={**CONFIG, "features": {"graphql": True}},
                           env=BENCH_ENV)
    asyncio.run(server.start())
    yield server
    server.stop()


def created(payloads):
    return [p["data"]["events"] for p in payloads if p["data"]["events"]["type"] == "message.created"]


async def test_concurrent_senders_reach_a_subscription_in_order_and_resume_exactly(pg_server):
    api = Api(pg_server.url)
    try:
        people = [await api.user("p") for _ in range(4)]
        conv = await api.group(*people)
        since = await api.head(people[0])
        sock = await GqlSocket.open(pg_server.url, people[0].token)
        await sock.acked()
        await sock.subscribe("s", EVENTS, {"since": since})

        async def burst(who, n: int) -> None:
            for i in range(n):
                await api.post(who, conv, f"{who.name} {i}")

        await asyncio.gather(*[burst(p, 10) for p in people])
        first = created(await sock.nexts(40, timeout=30))
        assert [e["payload"]["seq"] for e in first] == list(range(1, 41))
        sock.ws.transport.abort()

        await asyncio.gather(*[burst(p, 5) for p in people])
        again = await GqlSocket.open(pg_server.url, people[0].token)
        await again.acked()
        await again.subscribe("s", EVENTS, {"since": first[-1]["cursor"]})
        rest = created(await again.nexts(20, timeout=30))
        assert [e["payload"]["seq"] for e in rest] == list(range(41, 61))
        assert await again.quiet() == []
        await again.close()
    finally:
        await api.http.aclose()
