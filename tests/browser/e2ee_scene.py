"""Setting the scene for the end-to-end encryption browser tests: encrypted
conversations made over the API, waiting for a browser's published device,
per-user feature flags, and grepping the server's files for plaintext."""

from __future__ import annotations

import asyncio
import base64
import json
import os
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


class PyDevice:
    """A device made in the test with PyNaCl, straight from docs/e2ee.md:
    publishes itself and seals envelopes the way any client must, so the
    test can also seal them wrongly on purpose."""

    def __init__(self, person: Person):
        from nacl.public import PrivateKey
        from nacl.signing import SigningKey

        self.person = person
        self.device_id = os.urandom(16).hex()
        self.box = PrivateKey.generate()
        self.sign = SigningKey.generate()
        self.address = f"{person.id}:{self.device_id}"

    async def publish(self) -> None:
        x25519 = b64(bytes(self.box.public_key))
        sig = self.sign.sign(f"chatd-device-v1\n{self.device_id}\n{x25519}".encode()).signature
        r = await self.person.http.put("/me/keys", json={"device_id": self.device_id, "x25519": x25519,
                                                          "ed25519": b64(bytes(self.sign.verify_key)), "sig": b64(sig)})
        assert r.status_code == 200, r.text

    def seal(self, conversation_id: str, body: str, members: list[dict[str, Any]],
             attachments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        from nacl.public import Box, PublicKey
        from nacl.secret import SecretBox
        from nacl.utils import random

        payload = json.dumps({"v": 1, "body": body, "attachments": attachments or [],
                              "sent_at": "2026-12-06T20:00:00Z"}).encode()
        key, nonce = random(32), random(24)
        ciphertext = SecretBox(key).encrypt(payload, nonce).ciphertext
        keys = {}
        for user in members:
            for d in user["keys"]:
                n = random(24)
                wrapped = Box(self.box, PublicKey(base64.b64decode(d["x25519"]))).encrypt(key, n).ciphertext
                keys[f"{user['id']}:{d['device_id']}"] = b64(n + wrapped)
        env = {"alg": "nacl-v1", "sender_device": self.address, "nonce": b64(nonce), "ciphertext": b64(ciphertext),
               "keys": keys}
        return self.signed(conversation_id, env)

    def signed(self, conversation_id: str, env: dict[str, Any]) -> dict[str, Any]:
        lines = "\n".join(f"{a}={env['keys'][a]}" for a in sorted(env["keys"]))
        text = (f"chatd-msg-v1\n{conversation_id}\n{env['sender_device']}\n{env['nonce']}\n"
                f"{env['ciphertext']}\n{lines}")
        return {**env, "sig": b64(self.sign.sign(text.encode()).signature)}

    async def send(self, conversation_id: str, envelope: dict[str, Any]) -> dict[str, Any]:
        r = await self.person.http.post(f"/conversations/{conversation_id}/messages",
                                        json={"kind": "encrypted", "envelope": envelope, "client_id": os.urandom(8).hex()})
        assert r.status_code == 201, r.text
        return r.json()


async def members(person: Person, conversation_id: str) -> list[dict[str, Any]]:
    r = await person.http.get(f"/conversations/{conversation_id}")
    assert r.status_code == 200, r.text
    return [m["user"] for m in r.json()["members"]]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
