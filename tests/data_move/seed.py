"""Real data for the migrate-data tests, made through the API of a running
app (accounts, tokens, device keys, contacts, direct/group/encrypted
conversations, replies, edits, deletes, reactions, reads, attachments,
flags, settings), and an export of what clients then see, through the API
only: the test's independent check that a moved deployment is the same."""

from __future__ import annotations

import base64
import time
from typing import Any

from litestar.testing import AsyncTestClient
from nacl.signing import SigningKey

from chatd.app import create_app
from chatd.config import Config
from chatd.services.second_factor import totp
from tests.conftest import register
from tests.api.message_helpers import CONV, MSG, direct, group, send
from tests.api.webauthn_helpers import KEYS, add_key
from tests.media.helpers import upload

KEY = base64.b64encode(bytes(range(32))).decode()
SIGNER = SigningKey(bytes(range(64, 96)))
DEVICE = {"device_id": "d1", "x25519": KEY, "ed25519": base64.b64encode(bytes(SIGNER.verify_key)).decode(),
          "sig": base64.b64encode(SIGNER.sign(f"chatd-device-v1\nd1\n{KEY}".encode()).signature).decode()}
BACKUP = {"v": 1, "kdf": {"name": "argon2id", "ops": 3, "mem_kib": 65536, "salt": base64.b64encode(b"s" * 16).decode()},
          "nonce": base64.b64encode(b"n" * 24).decode(), "ciphertext": base64.b64encode(b"c" * 100).decode()}


async def seed(config: Config, messages: int = 60) -> dict[str, Any]:
    """Fill the stores; returns the tokens the export acts with."""
    async with AsyncTestClient(create_app(config)) as c:
        ann = await register(c, "ann")  # the first account: admin
        bob, cat = await register(c, "bob"), await register(c, "cat")
        r = await c.post("/api/v1/me/tokens", json={"name": "laptop"}, headers=bob.headers)
        assert r.status_code == 201, r.text
        api_token = r.json()["token"]
        r = await c.put("/api/v1/me/keys", json=DEVICE, headers=ann.headers)
        assert r.status_code == 200, r.text
        r = await c.put("/api/v1/me/key-backup", json=BACKUP, headers=ann.headers)
        assert r.status_code == 200, r.text
        # cat has two-step sign-in: its factor, recovery codes and security key move too.
        secret = (await c.post("/api/v1/me/second-factor/totp", headers=cat.headers)).json()["secret"]
        r = await c.post("/api/v1/me/second-factor/totp/confirm", headers=cat.headers,
                         json={"code": totp.code_at(secret, time.time())})
        assert r.status_code == 200, r.text
        await add_key(c, cat, name="cat's key")  # and a security key
        assert (await c.post("/api/v1/contacts", json={"user_id": bob.id}, headers=ann.headers)).status_code == 201
        assert (await c.post(f"/api/v1/contacts/{ann.id}/accept", headers=bob.headers)).status_code == 200
        assert (await c.patch(f"/api/v1/contacts/{bob.id}", json={"alias": "Bobby ✨"},
                              headers=ann.headers)).status_code == 200
        dm = await direct(c, ann, bob)
        team = await group(c, ann, bob, cat)
        secret = await group(c, ann, bob, e2ee=True)
        first = await send(c, dm, ann, "hello bob, über café 👋")
        await send(c, dm, bob, "hi ann", reply_to=first["id"])
        for i in range(messages):
            await send(c, team, (ann, bob, cat)[i % 3], f"team message {i} with some words to search")
        env = {"alg": "x25519-xsalsa20poly1305", "sender_device": f"{ann.id}:{DEVICE['device_id']}", "nonce": "bm9uY2U=",
               "ciphertext": "Y2lwaGVy", "keys": {"d2": "a2V5"}, "sig": "c2ln"}
        await send(c, secret, ann, None, client_id="enc1", envelope=env)
        edited = await send(c, team, bob, "typo")
        assert (await c.patch(f"{MSG}/{edited['id']}", json={"body": "fixed", "version": 1},
                              headers=bob.headers)).status_code == 200
        gone = await send(c, team, cat, "oops")
        assert (await c.delete(f"{MSG}/{gone['id']}", headers=cat.headers)).status_code in (200, 204)
        for who, emoji in ((ann, "👍"), (bob, "👍"), (cat, "🎉")):
            assert (await c.put(f"{MSG}/{first['id'] if who is not cat else edited['id']}/reactions/{emoji}",
                                headers=who.headers)).status_code == 200
        assert (await c.post(f"{CONV}/{team}/read", json={"seq": 5}, headers=cat.headers)).status_code == 200
        att = await upload(c, team, ann, b"attachment bytes \x00\x01" * 100, filename="notes.bin")
        await send(c, team, ann, "see file", attachments=[att["id"]])
        assert (await c.put("/api/v1/admin/registration", json={"mode": "invite"},
                            headers=ann.headers)).status_code == 200
        assert (await c.put("/api/v1/admin/features/search", json={"state": "on", "users": [bob.id]},
                            headers=ann.headers)).status_code in (200, 201)
        return {"ann": ann.token, "bob": bob.token, "cat": cat.token, "bob_api": api_token,
                "attachment": att["id"]}


async def export(config: Config, tokens: dict[str, Any]) -> dict[str, Any]:
    """What each user sees: themselves, contacts, conversations, every
    message page, the whole sync log since 0, the attachment's bytes."""
    out: dict[str, Any] = {}
    async with AsyncTestClient(create_app(config)) as c:
        for name in ("ann", "bob", "cat", "bob_api"):
            h = {"Authorization": f"Bearer {tokens[name]}"}
            me = await c.get("/api/v1/me", headers=h)
            assert me.status_code == 200, (name, me.text)
            mine: dict[str, Any] = {"me": me.json(), "contacts": (await c.get("/api/v1/contacts", headers=h)).json(),
                                    "tokens": (await c.get("/api/v1/me/tokens", headers=h)).json(),
                                    "features": (await c.get("/api/v1/me/features", headers=h)).json(),
                                    "key_backup": (await c.get("/api/v1/me/key-backup", headers=h)).json(),
                                    "second_factor": (await c.get("/api/v1/me/second-factor", headers=h)).json(),
                                    "security_keys": (await c.get(KEYS, headers=h)).json()}
            convs = (await c.get(CONV, headers=h)).json()["items"]
            mine["conversations"] = convs
            for conv in convs:
                r = await c.get(f"{CONV}/{conv['id']}/messages", params={"limit": 200}, headers=h)
                mine[f"messages {conv['id']}"] = r.json()
            events, since = [], "0"
            while True:
                page = (await c.get("/api/v1/sync", params={"since": since, "limit": 1000}, headers=h)).json()
                events += page["events"]
                since = page["next"]
                if not page["more"]:
                    break
            mine["sync"], mine["cursor"] = events, since
            out[name] = mine
        ann = {"Authorization": f"Bearer {tokens['ann']}"}
        out["registration"] = (await c.get("/api/v1/auth/registration")).json()
        out["admin_features"] = (await c.get("/api/v1/admin/features", headers=ann)).json()
        out["search"] = (await c.get("/api/v1/search", params={"q": "words"}, headers=ann)).json()
        r = await c.get(f"/api/v1/attachments/{tokens['attachment']}", headers=ann)
        out["attachment"] = (r.status_code, r.content)
    return out


async def carries_on(config: Config, tokens: dict[str, Any], cursor: str) -> list[dict[str, Any]]:
    """A message sent after the move, as a client at the old cursor syncs it:
    new seqs continue above every old one, so `since` stays valid."""
    async with AsyncTestClient(create_app(config)) as c:
        h = {"Authorization": f"Bearer {tokens['ann']}"}
        convs = (await c.get(CONV, headers=h)).json()["items"]
        r = await c.post(f"{CONV}/{convs[-1]['id']}/messages", json={"client_id": "after-move", "body": "still here"},
                         headers=h)
        assert r.status_code == 201, r.text
        return (await c.get("/api/v1/sync", params={"since": cursor}, headers=h)).json()["events"]
