"""kill -9 of a real `chatd serve` in the middle of a storm of sends that
clients retry with their client_id until acknowledged: nothing acknowledged
is lost, nothing is stored twice, /sync has each message exactly once, and
the SQLite file passes PRAGMA integrity_check. On both engines."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path

import httpx

from chatd.bench.server import BENCH_CONFIG, BENCH_ENV, ServerProcess

PASSWORD = "correct horse battery"
SENDERS, PER_SENDER, KILLS = 8, 60, 2


async def register(http: httpx.AsyncClient, name: str) -> tuple[str, dict[str, str]]:
    r = await http.post("/api/v1/auth/register", json={"username": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()["user"]["id"], {"Authorization": f"Bearer {r.json()['token']}"}


async def send_until_acked(http: httpx.AsyncClient, path: str, headers: dict, client_id: str) -> dict:
    """What a client does: the same client_id again until an answer comes."""
    while True:
        try:
            r = await http.post(path, json={"client_id": client_id, "body": client_id}, headers=headers)
        except httpx.TransportError:
            await asyncio.sleep(0.05)
            continue
        if r.status_code in (200, 201):
            return r.json()
        assert r.status_code >= 500 or r.status_code == 503, r.text  # never a 4xx for a good retry
        await asyncio.sleep(0.05)


async def everything(http: httpx.AsyncClient, path: str, headers: dict, key: str, query: dict) -> list[dict]:
    out: list[dict] = []
    while True:
        page = (await http.get(path, params=query, headers=headers)).json()
        out.extend(page[key])
        if not page.get("more", page.get("has_more")):
            return out
        query = {**query, **({"since": page["next"]} if "next" in page else {"after_seq": out[-1]["seq"]})}


async def storm(database: str, data_dir: Path) -> None:
    server = ServerProcess(data_dir, database=database, config=BENCH_CONFIG, env=BENCH_ENV)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=5) as http:
            _, alice = await register(http, "alice")
            bob_id, bob = await register(http, "bob")
            r = await http.post("/api/v1/conversations", json={"kind": "direct", "user_id": bob_id}, headers=alice)
            path = f"/api/v1/conversations/{r.json()['id']}/messages"
            acked: dict[str, dict] = {}

            async def sender(k: int) -> None:
                for i in range(PER_SENDER):
                    cid = f"s{k}-{i}"
                    acked[cid] = await send_until_acked(http, path, alice, cid)

            senders = asyncio.gather(*(sender(k) for k in range(SENDERS)))
            for n in range(1, KILLS + 1):
                while len(acked) < SENDERS * PER_SENDER * 0.3 * n and not senders.done():
                    await asyncio.sleep(0.01)
                server.proc.kill()  # SIGKILL: no shutdown, no flush, sends in flight
                server.proc.wait()
                await server.start()
            await senders

            stored = await everything(http, path, bob, "items", {"after_seq": 0, "limit": 200})
            ids = Counter(m["client_id"] for m in stored)
            assert [c for c, n in ids.items() if n > 1] == []  # 0 doubled
            assert len(stored) == SENDERS * PER_SENDER
            by_cid = {m["client_id"]: m for m in stored}
            lost = [c for c, m in acked.items() if by_cid.get(c, {}).get("id") != m["id"]]
            assert lost == []  # every acknowledged message is there, as acknowledged
            assert [m["seq"] for m in stored] == list(range(1, len(stored) + 1))
            events = await everything(http, "/api/v1/sync", bob, "events", {"since": "0", "limit": 500})
            created = Counter(e["payload"]["id"] for e in events if e["type"] == "message.created")
            assert set(created) == {m["id"] for m in stored} and set(created.values()) == {1}
    finally:
        assert server.stop() == 0, server.log_tail()
    if database.startswith("sqlite:///"):
        conn = sqlite3.connect(database.removeprefix("sqlite:///"))
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()


def test_kill_9_during_a_storm_of_retried_sends_loses_and_doubles_nothing(database_url, tmp_path):
    asyncio.run(storm(database_url, tmp_path / "served"))
