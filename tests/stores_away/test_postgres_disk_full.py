"""PostgreSQL's disk fills up under a running chatd: sends get a clear
answer (507 storage_full while PostgreSQL refuses the write, or 503
store_unavailable naming postgresql once it stops itself because its WAL
cannot grow), never a 500; once there is room (and PostgreSQL was started
again, replaying its WAL) chatd carries on by itself and every message it
acknowledged is there, in order, with gap-free seqs."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.storage.sql.migrate import migrate
from tests.api.message_helpers import CONV, group
from tests.conftest import make_config, register
from tests.pg_cluster import PgCluster, pg_cluster_small_disk  # noqa: F401

LEAVE_FREE = 2 << 20


def _fill(root: Path) -> Path:
    filler = root / "filler"
    st = os.statvfs(root)
    with open(filler, "wb") as f:
        f.truncate(0)
        f.write(b"\0" * max(st.f_bavail * st.f_frsize - LEAVE_FREE, 0))
    return filler


async def test_postgres_disk_full(tmp_path: Path, pg_cluster_small_disk: PgCluster) -> None:
    cluster = pg_cluster_small_disk
    await migrate(cluster.url)
    config = make_config(tmp_path, cluster.url, limits={"messages_per_minute": 100_000})
    async with AsyncTestClient(create_app(config)) as c:
        ann, bob = await register(c, "ann"), await register(c, "bob")
        conv = await group(c, ann, bob)
        filler = await asyncio.to_thread(_fill, cluster.root)
        acked: list[str] = []
        refused: list[tuple[int, str]] = []
        for i in range(2000):
            r = await c.post(f"{CONV}/{conv}/messages", headers=ann.headers,
                             json={"client_id": f"m{i}", "body": f"{i} " + "full disk " * 790})
            if r.status_code == 201:
                acked.append(r.json()["id"])
                continue
            body = r.json()
            refused.append((r.status_code, body["code"]))
            assert (r.status_code, body["code"]) in ((507, "storage_full"), (503, "store_unavailable")), body
            if len(refused) >= 5:
                break
        assert refused, "the disk never filled"
        assert acked

        filler.unlink()
        if not await asyncio.to_thread(cluster.running):
            await asyncio.to_thread(cluster.start)  # replays its WAL: what was committed stays
        deadline = time.monotonic() + 30
        while (await c.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, "chatd did not recover"
            await asyncio.sleep(0.2)
        r = await c.post(f"{CONV}/{conv}/messages", headers=ann.headers, json={"client_id": "after", "body": "room"})
        assert r.status_code == 201, r.text
        seen: list[dict] = []
        after = 0
        while True:
            page = (await c.get(f"{CONV}/{conv}/messages", params={"after_seq": after, "limit": 200},
                                headers=bob.headers)).json()
            seen += page["items"]
            if not page["has_more"]:
                break
            after = page["items"][-1]["seq"]
        ids = [m["id"] for m in seen]
        assert ids[: len(acked)] == acked and ids[-1] == r.json()["id"]
        assert [m["seq"] for m in seen] == list(range(1, len(seen) + 1))
