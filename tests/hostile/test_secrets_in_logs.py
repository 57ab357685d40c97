"""No secret ever reaches the log: a whole scenario (sign-ups, cookie and
bearer sessions, wrong passwords, API tokens, invites, an encrypted
conversation, a socket, failures) at DEBUG, then the log is searched for
every secret it involved."""

from __future__ import annotations

import json
import logging

from tests.api.account_helpers import login
from tests.api.message_helpers import CONV, group
from tests.conftest import register
from tests.e2ee_device import publish_device

SECRET_PASSWORD = "hunter2-hunter2-secret-pw"
NEW_PASSWORD = "another-very-secret-pw"
CIPHERTEXT = "c2VjcmV0IGNpcGhlcnRleHQgb2YgYW4gZTJlZSBtZXNzYWdl"


async def test_a_full_scenario_at_debug_logs_no_secret(client, caplog):
    caplog.set_level(logging.DEBUG)
    admin = await register(client, "admin", SECRET_PASSWORD)
    bob = await register(client, "bob", SECRET_PASSWORD)
    r = await login(client, "bob", SECRET_PASSWORD)
    cookie, csrf = r.cookies["chatd_session"], r.cookies["csrf_token"]
    await client.patch("/api/v1/me", json={"version": 1, "bio": "hi"}, headers={"X-CSRF-Token": csrf})
    await client.patch("/api/v1/me", json={"version": 1, "bio": "hi"})  # CSRF refused
    client.cookies.clear()
    await login(client, "bob", "wrong " + SECRET_PASSWORD)
    await login(client, "nobody", "wrong " + SECRET_PASSWORD)
    api_token = (await client.post("/api/v1/me/tokens", json={"name": "bot"}, headers=bob.headers)).json()["token"]
    invite = (await client.post("/api/v1/admin/invites", json={}, headers=admin.headers)).json()["code"]
    await client.post("/api/v1/auth/register", json={"username": "carol", "password": "short", "invite": invite})
    await client.put("/api/v1/me/password", json={"current": SECRET_PASSWORD, "new": NEW_PASSWORD},
                     headers=bob.headers)
    await client.put("/api/v1/me/password", json={"current": "wrong " + NEW_PASSWORD, "new": NEW_PASSWORD},
                     headers={"Authorization": f"Bearer {api_token}"})
    conv = await group(client, admin, bob, e2ee=True)
    envelope = {"alg": "x25519-xsalsa20poly1305", "sender_device": await publish_device(client, admin),
                "nonce": "bm9uY2U=",
                "ciphertext": CIPHERTEXT, "keys": {"d2": "a2V5"}}
    r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "e1", "envelope": envelope},
                          headers=admin.headers)
    assert r.status_code == 201, r.text  # stored, so its ciphertext went through every layer that logs
    await client.post(f"{CONV}/{conv}/messages", json={"client_id": "e2", "envelope": envelope, "x": 1},
                      headers=admin.headers)  # invalid: its body must not be echoed to the log either
    await client.get("/api/v1/me", headers={"Authorization": "Bearer not-" + admin.token})
    ws = await client.websocket_connect("/api/v1/ws", subprotocols=["chatd"])
    with ws:
        ws.send_text(json.dumps({"type": "auth", "token": admin.token}))
        hello = json.loads(ws.receive_text(timeout=5))
        assert hello["type"] == "hello", hello
        ws.send_text(json.dumps({"type": "send", "id": 1, "conversation_id": conv, "client_id": "e3",
                                 "envelope": envelope}))
        ws.send_text(json.dumps({"type": "auth", "token": bob.token, "id": 2}))
        ws.send_text("{not json " + api_token)
        for _ in range(3):
            ws.receive_text(timeout=5)
    assert len(caplog.records) > 0
    text = caplog.text + "".join(str(r.args) + str(r.__dict__) for r in caplog.records)
    secrets = {"password": SECRET_PASSWORD, "new password": NEW_PASSWORD, "session token": admin.token,
               "bob's token": bob.token, "cookie": cookie, "csrf": csrf, "api token": api_token,
               "invite": invite, "ciphertext": CIPHERTEXT}
    leaked = [name for name, secret in secrets.items() if secret in text]
    assert not leaked, leaked
