"""An account deletion killed half-way through leaving its groups is
finished by the next start: a real `chatd serve` on SQLite is killed with
SIGKILL while `DELETE /me` is taking the account out of its groups one by
one; after the restart the account is in none of them (and a group it
owned has passed to someone else), with nothing retried by hand."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import httpx

from chatd.bench.server import BENCH_CONFIG, BENCH_ENV, ServerProcess

PASSWORD = "correct horse battery"
GROUPS = 200  # enough that leaving them takes a while to interrupt
GROUP_MEMBERSHIPS = ("SELECT count(*) FROM members m JOIN conversations c ON c.id = m.conversation_id"
                     " WHERE m.user_id = ? AND c.kind = 'group'")


async def _user(http: httpx.AsyncClient, name: str) -> tuple[str, dict]:
    r = await http.post("/api/v1/auth/register", json={"username": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()["user"]["id"], {"Authorization": f"Bearer {r.json()['token']}"}


def _memberships(db: Path, user_id: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
        return con.execute(GROUP_MEMBERSHIPS, (user_id,)).fetchone()[0]


async def _delete_and_kill(server: ServerProcess, db: Path) -> tuple[str, str, str, int]:
    async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=30) as http:
        await _user(http, "root")
        ann_id, ann = await _user(http, "ann")
        bob_id, bob = await _user(http, "bob")
        r = await http.post("/api/v1/conversations", headers=ann,
                            json={"kind": "group", "title": "ann's", "member_ids": [bob_id]})
        owned = r.json()["id"]
        for n in range(GROUPS - 1):
            r = await http.post("/api/v1/conversations", headers=bob,
                                json={"kind": "group", "title": f"g{n}", "member_ids": [ann_id]})
            assert r.status_code == 201, r.text
        assert _memberships(db, ann_id) == GROUPS

        deleting = asyncio.ensure_future(http.request("DELETE", "/api/v1/me", headers=ann,
                                                      json={"password": PASSWORD}))
        deadline = time.monotonic() + 30
        while _memberships(db, ann_id) == GROUPS:
            assert time.monotonic() < deadline and not deleting.done(), "the deletion never started leaving"
            await asyncio.sleep(0.001)
        assert server.proc is not None
        server.proc.kill()  # half-way: some groups left, most not
        server.proc.wait(10)
        try:
            await deleting
        except httpx.TransportError:
            pass
    return ann_id, bob_id, owned, _memberships(db, ann_id)


async def _check_finished(server: ServerProcess, db: Path, ann_id: str, bob_id: str, owned: str) -> None:
    deadline = time.monotonic() + 30
    while _memberships(db, ann_id):
        assert time.monotonic() < deadline, f"{_memberships(db, ann_id)} memberships left after the restart"
        await asyncio.sleep(0.1)
    async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=30) as http:
        r = await http.post("/api/v1/auth/login", json={"username": "bob", "password": PASSWORD})
        bob = {"Authorization": f"Bearer {r.json()['token']}"}
        r = await http.get(f"/api/v1/conversations/{owned}", headers=bob)
        assert r.status_code == 200, r.text
        assert [(m["user_id"], m["role"]) for m in r.json()["members"]] == [(bob_id, "owner")]


def test_a_deletion_killed_half_way_is_finished_at_the_next_start(tmp_path: Path) -> None:
    db = tmp_path / "chatd.db"
    server = ServerProcess(tmp_path, config=BENCH_CONFIG, env=BENCH_ENV)
    try:
        asyncio.run(server.start())
        ann_id, bob_id, owned, left = asyncio.run(_delete_and_kill(server, db))
        assert 0 < left < GROUPS, f"{left} of {GROUPS} memberships when killed: not half-way"
        asyncio.run(server.start())
        asyncio.run(_check_finished(server, db, ann_id, bob_id, owned))
    finally:
        server.stop()
