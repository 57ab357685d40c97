"""The server's side of end-to-end encryption beyond device keys: the
envelope's signature kept as sent, the e2ee_default flag for new direct
conversations, and search that never looks into encrypted messages."""

from __future__ import annotations

import base64
import os

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from tests.conftest import register
from tests.e2ee_device import publish_device


def envelope(**changes) -> dict:
    body = {"alg": "nacl-v1", "sender_device": "u:d", "nonce": base64.b64encode(os.urandom(24)).decode(),
            "ciphertext": base64.b64encode(b"lunch " * 10).decode(), "keys": {"u:d": "AAAA"},
            "sig": base64.b64encode(os.urandom(64)).decode()}
    return {**body, **changes}


async def direct(client, a, b, **extra) -> dict:
    r = await client.post("/api/v1/conversations", json={"kind": "direct", "user_id": b.id, **extra}, headers=a.headers)
    assert r.status_code in (200, 201), r.text
    return r.json()


async def test_the_envelope_signature_is_kept_and_relayed(client):
    ann, bob = await register(client, "ann"), await register(client, "bob")
    conv = await direct(client, ann, bob, e2ee=True)
    sent = envelope(sender_device=await publish_device(client, ann))
    r = await client.post(f"/api/v1/conversations/{conv['id']}/messages", json={"client_id": "c1", "envelope": sent},
                          headers=ann.headers)
    assert r.status_code == 201, r.text
    page = (await client.get(f"/api/v1/conversations/{conv['id']}/messages", headers=bob.headers)).json()
    assert page["items"][0]["envelope"] == sent and page["items"][0]["body"] is None
    r = await client.post(f"/api/v1/conversations/{conv['id']}/messages",
                          json={"client_id": "c2", "envelope": envelope(sig="x" * 129)}, headers=ann.headers)
    assert r.status_code == 400


async def test_search_skips_encrypted_messages(client):
    ann, bob = await register(client, "ann"), await register(client, "bob")
    secret = await direct(client, ann, bob, e2ee=True)
    r = await client.post("/api/v1/conversations", json={"kind": "group", "title": "open", "member_ids": [bob.id]},
                          headers=ann.headers)
    plain = r.json()
    device = await publish_device(client, ann)
    # An encrypted message in a plain conversation is accepted too: still never searched.
    for conv, body in ((secret, {"envelope": envelope(sender_device=device)}),
                       (plain, {"envelope": envelope(sender_device=device)}),
                       (plain, {"body": "lunch at noon"})):
        r = await client.post(f"/api/v1/conversations/{conv['id']}/messages",
                              json={"client_id": os.urandom(4).hex(), **body}, headers=ann.headers)
        assert r.status_code == 201, r.text
    for word in ("lunch", "nacl", "AAAA", "u:d", "bHVuY2gg"):
        found = (await client.get("/api/v1/search", params={"q": word}, headers=bob.headers)).json()["items"]
        assert all(m["kind"] == "text" for m in found), (word, found)
    found = (await client.get("/api/v1/search", params={"q": "lunch"}, headers=bob.headers)).json()["items"]
    assert [m["body"] for m in found] == ["lunch at noon"]


@pytest.mark.parametrize("flags, asked, encrypted", [
    ({}, None, False),                                          # default: e2ee_default off
    ({"e2ee_default": True}, None, True),
    ({"e2ee_default": True}, False, False),                     # the request wins
    ({"e2ee_default": False}, True, True),
    ({"e2ee_default": True, "e2ee": False}, None, False),       # e2ee itself off: never encrypted by default
])
async def test_e2ee_default_decides_new_direct_conversations(config_with, flags, asked, encrypted):
    async with AsyncTestClient(create_app(config_with(features=flags))) as client:
        ann, bob = await register(client, "ann"), await register(client, "bob")
        features = (await client.get("/api/v1/me/features", headers=ann.headers)).json()["features"]
        assert features["e2ee_default"] == flags.get("e2ee_default", False)
        conv = await direct(client, ann, bob, **({} if asked is None else {"e2ee": asked}))
        assert conv["e2ee"] is encrypted
        # An existing direct conversation comes back as it is, whatever is asked.
        again = await direct(client, bob, ann, e2ee=not encrypted) if flags.get("e2ee", True) or encrypted else conv
        assert again["id"] == conv["id"] and again["e2ee"] is encrypted
