"""Setting the scene for the end-to-end encryption browser tests: encrypted
conversations made over the API, waiting for a browser's published device,
per-user feature flags, and grepping the server's files for plaintext."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from chatd.bench.server import ServerProcess
from tests.browser.conftest import PASSWORD, Person

BACKUP_PASSPHRASE = "staple orbit lantern meadow"


async def encrypted_direct(a: Person, b: Person) -> str:
    r = await a.http.post("/conversations", json={"kind": "direct", "user_id": b.id, "e2ee": True})
    assert r.status_code in (200, 201), r.text
    assert r.json()["e2ee"] is True
    return r.json()["id"]


async def encrypted_group(owner: Person, title: str, members: list[Person]) -> str:
    r = await owner.http.post("/conversations", json={"kind": "group", "title": title, "e2ee": True,
                                                       "member_ids": [m.id for m in members]})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def devices(person: Person, of: Person | None = None) -> list[dict[str, Any]]:
    r = await person.http.get(f"/users/{(of or person).id}")
    assert r.status_code == 200, r.text
    return r.json()["keys"]


async def published(person: Person, count: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
    """The person's devices once their browser(s) published `count` of them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        keys = await devices(person)
        if len(keys) >= count or asyncio.get_running_loop().time() > deadline:
            assert len(keys) >= count, f"{person.username} published {len(keys)} device(s), not {count}"
            return keys
        await asyncio.sleep(0.1)


async def admin(server: ServerProcess) -> httpx.AsyncClient:
    async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
        body = (await http.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})).json()
    return httpx.AsyncClient(base_url=server.url + "/api/v1", trust_env=False, timeout=10,
                             headers={"Authorization": f"Bearer {body['token']}"})


async def flag_for(server: ServerProcess, name: str, users: list[Person]) -> None:
    """Turn a flag on for these users only (off for everyone else)."""
    http = await admin(server)
    try:
        r = await http.put(f"/admin/features/{name}", json={"state": "off", "users": [u.id for u in users]})
        assert r.status_code == 200, r.text
    finally:
        await http.aclose()


def files_holding(root: Path, needle: bytes) -> list[str]:
    """Every file under root whose bytes contain needle (the database, its
    WAL, the media folder, the log)."""
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]
