"""PostgreSQL stopped under a running chatd: requests that need it answer
503 problem details naming the store (never a 500 or a hang), /readyz says
which, nothing acknowledged is lost, and chatd recovers by itself when the
server is back, without a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.storage.sql.migrate import migrate
from tests.api.message_helpers import CONV, group, send
from tests.stores_away.helpers import assert_away
from tests.conftest import make_config, register
from tests.pg_cluster import PgCluster, pg_cluster  # noqa: F401


async def _away(c: AsyncTestClient, method: str, path: str, **kw) -> None:
    await assert_away(c, "postgresql", method, path, within=8, **kw)


async def test_postgres_stopped_and_back(tmp_path: Path, pg_cluster: PgCluster) -> None:
    await migrate(pg_cluster.url)
    config = make_config(tmp_path, pg_cluster.url)
    async with AsyncTestClient(create_app(config)) as c:
        ann, bob = await register(c, "ann"), await register(c, "bob")
        conv = await group(c, ann, bob)
        kept = [await send(c, conv, ann, f"before {i}") for i in range(3)]

        await asyncio.to_thread(pg_cluster.stop)
        await _away(c, "GET", f"{CONV}/{conv}/messages", headers=bob.headers)
        await _away(c, "POST", f"{CONV}/{conv}/messages", json={"client_id": "while-away", "body": "x"},
                    headers=ann.headers)
        await _away(c, "GET", "/api/v1/me", headers=bob.headers)
        r = await c.get("/readyz")
        assert r.status_code == 503 and "database" in r.json()["failed"], r.text
        assert (await c.get("/healthz")).status_code == 200  # the process itself is fine

        await asyncio.to_thread(pg_cluster.start)
        assert (await c.get("/readyz")).status_code == 200
        again = await send(c, conv, ann, "after", client_id="while-away")  # the retried send lands once
        r = await c.get(f"{CONV}/{conv}/messages", headers=bob.headers)
        assert r.status_code == 200
        items = r.json()["items"]
        assert [m["id"] for m in items] == [m["id"] for m in kept] + [again["id"]]
        assert [m["seq"] for m in items] == [1, 2, 3, 4]

        # A restart between two requests: the pooled connections it cut are
        # replaced on the way, so nobody sees it.
        await asyncio.to_thread(pg_cluster.stop)
        await asyncio.to_thread(pg_cluster.start)
        assert (await c.get(f"{CONV}/{conv}/messages", headers=bob.headers)).status_code == 200
        last = await send(c, conv, bob, "right after a restart")
        assert last["seq"] == 5
