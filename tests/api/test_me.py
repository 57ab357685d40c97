"""/api/v1/me: profile with versions, password change, API tokens, device keys."""

from __future__ import annotations

import base64

import pytest

from tests.api.account_helpers import PASSWORD, login
from tests.conftest import register

from nacl.signing import SigningKey

X = base64.b64encode(bytes(range(32))).decode()
SIGNER = SigningKey(bytes(range(100, 132)))
ED = base64.b64encode(bytes(SIGNER.verify_key)).decode()
OTHER_SIGNER = SigningKey(bytes(range(150, 182)))


def signed(device_id: str, x25519: str, signer: SigningKey = SIGNER) -> dict[str, str]:
    """A PUT /me/keys body signed as docs/e2ee.md says."""
    sig = signer.sign(f"chatd-device-v1\n{device_id}\n{x25519}".encode()).signature
    return {"device_id": device_id, "x25519": x25519, "ed25519": base64.b64encode(bytes(signer.verify_key)).decode(),
            "sig": base64.b64encode(sig).decode()}


async def test_get_me_is_the_full_own_view(client):
    alice = await register(client, "alice")
    me = (await client.get("/api/v1/me", headers=alice.headers)).json()
    assert {"preferences", "role", "last_seen_at", "keys", "version", "disabled"} <= set(me)
    assert not any("hash" in k or "password" in k for k in me)


async def test_patch_me_with_version_and_stale_version_409(client):
    alice = await register(client, "alice")
    r = await client.patch("/api/v1/me", headers=alice.headers, json={
        "version": 1, "display_name": "  Alice\u202e  ", "bio": "line one\nline two", "status_text": "busy",
        "preferences": {"theme": "dark", "notify": {"mentions": True}}})
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["display_name"] == "Alice" and me["bio"] == "line one\nline two"
    assert me["preferences"] == {"theme": "dark", "notify": {"mentions": True}} and me["version"] == 2
    r = await client.patch("/api/v1/me", headers=alice.headers, json={"version": 1, "bio": "lost"})
    assert r.status_code == 409
    assert r.json()["code"] == "version_conflict" and r.json()["current"]["version"] == 2
    assert r.json()["current"]["bio"] == "line one\nline two"


async def test_patch_me_accepts_if_match_and_requires_some_version(client):
    alice = await register(client, "alice")
    r = await client.patch("/api/v1/me", headers={**alice.headers, "If-Match": '"1"'}, json={"status_text": "x"})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = await client.patch("/api/v1/me", headers=alice.headers, json={"status_text": "y"})
    assert r.status_code == 400 and r.json()["code"] == "version_required"


@pytest.mark.parametrize("body", [
    {"version": 1, "display_name": ""},
    {"version": 1, "display_name": "x" * 65},
    {"version": 1, "status_text": "x" * 141},
    {"version": 1, "bio": "x" * 501},
    {"version": 1, "preferences": {"blob": "x" * 9000}},
    {"version": 1, "preferences": "dark"},
    {"version": 1, "role": "admin"},
    {"version": 1, "username": "root"},
    {"version": "one"},
])
async def test_bad_profile_patches_are_400_and_change_nothing(client, body):
    alice = await register(client, "alice")
    r = await client.patch("/api/v1/me", headers=alice.headers, json=body)
    assert r.status_code == 400, r.text
    me = (await client.get("/api/v1/me", headers=alice.headers)).json()
    assert me["version"] == 1 and me["role"] == "admin" and me["username"] == "alice"


async def test_password_change_ends_other_sessions_but_keeps_this_one_and_tokens(client):
    alice = await register(client, "alice")
    other = (await login(client, "alice")).json()["token"]
    client.cookies.clear()
    bot = (await client.post("/api/v1/me/tokens", json={"name": "bot"}, headers=alice.headers)).json()["token"]
    r = await client.put("/api/v1/me/password", headers=alice.headers,
                         json={"current": PASSWORD, "new": "a brand new secret"})
    assert r.status_code == 204
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"})).status_code == 401
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {bot}"})).status_code == 200
    assert (await login(client, "alice")).status_code == 401
    assert (await login(client, "alice", "a brand new secret")).status_code == 200


async def test_password_change_refuses_wrong_current_or_bad_new(client):
    alice = await register(client, "alice")
    r = await client.put("/api/v1/me/password", headers=alice.headers, json={"current": "nope nope", "new": "x" * 12})
    assert r.status_code == 403 and r.json()["code"] == "wrong_password"
    r = await client.put("/api/v1/me/password", headers=alice.headers, json={"current": PASSWORD, "new": "short"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_password"
    assert (await login(client, "alice")).status_code == 200


async def test_api_tokens_shown_once_listed_without_secret_and_revoked(client):
    alice = await register(client, "alice")
    r = await client.post("/api/v1/me/tokens", json={"name": "ci bot", "expires_days": 30}, headers=alice.headers)
    assert r.status_code == 201
    created = r.json()
    assert created["name"] == "ci bot" and created["expires_at"] and created["token"]
    bot = {"Authorization": f"Bearer {created['token']}"}
    assert (await client.get("/api/v1/me", headers=bot)).json()["id"] == alice.id
    listed = (await client.get("/api/v1/me/tokens", headers=alice.headers)).json()["items"]
    assert [t["id"] for t in listed] == [created["id"]]
    assert created["token"] not in str(listed) and "token" not in listed[0]
    assert (await client.delete(f"/api/v1/me/tokens/{created['id']}", headers=alice.headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=bot)).status_code == 401
    assert (await client.delete(f"/api/v1/me/tokens/{created['id']}", headers=alice.headers)).status_code == 404


async def test_tokens_are_private_to_their_owner(client):
    alice = await register(client, "alice")
    bob = await register(client, "bob")
    token = (await client.post("/api/v1/me/tokens", json={"name": "x"}, headers=alice.headers)).json()
    assert (await client.get("/api/v1/me/tokens", headers=bob.headers)).json()["items"] == []
    assert (await client.delete(f"/api/v1/me/tokens/{token['id']}", headers=bob.headers)).status_code == 404
    assert [t["id"] for t in (await client.get("/api/v1/me/tokens", headers=alice.headers)).json()["items"]] == [
        token["id"]]


async def test_delete_all_tokens_keeps_login_sessions(client):
    alice = await register(client, "alice")
    for name in ("a", "b"):
        await client.post("/api/v1/me/tokens", json={"name": name}, headers=alice.headers)
    assert (await client.delete("/api/v1/me/tokens", headers=alice.headers)).status_code == 204
    assert (await client.get("/api/v1/me/tokens", headers=alice.headers)).json()["items"] == []
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "x" * 65}, {"name": "x", "expires_days": 0}, {}])
async def test_bad_token_requests_are_400(client, body):
    alice = await register(client, "alice")
    assert (await client.post("/api/v1/me/tokens", json=body, headers=alice.headers)).status_code == 400


async def test_publish_replace_and_withdraw_device_keys(client):
    alice = await register(client, "alice")
    bob = await register(client, "bob")
    body = signed("phone", X)
    r = await client.put("/api/v1/me/keys", headers=alice.headers, json=body)
    assert r.status_code == 200
    assert [(k["device_id"], k["x25519"], k["ed25519"], k["sig"]) for k in r.json()["keys"]] == [
        ("phone", X, ED, body["sig"])]
    again = signed("phone", ED, OTHER_SIGNER)
    r = await client.put("/api/v1/me/keys", headers=alice.headers, json=again)
    assert [(k["x25519"], k["sig"]) for k in r.json()["keys"]] == [(ED, again["sig"])]
    public = (await client.get(f"/api/v1/users/{alice.id}", headers=bob.headers)).json()
    assert [(k["device_id"], k["sig"]) for k in public["keys"]] == [("phone", again["sig"])]
    r = await client.delete("/api/v1/me/keys/phone", headers=alice.headers)
    assert r.status_code == 200 and r.json()["keys"] == []
    assert (await client.delete("/api/v1/me/keys/phone", headers=alice.headers)).status_code == 404


@pytest.mark.parametrize("body, code", [
    ({**signed("phone", X), "x25519": base64.b64encode(b"x" * 31).decode()}, "invalid_key"),
    ({**signed("phone", X), "ed25519": base64.b64encode(b"x" * 33).decode()}, "invalid_key"),
    ({**signed("phone", X), "x25519": "not base64!"}, "invalid_key"),
    (signed("", X), "invalid_device_id"),
    (signed("a b", X), "invalid_device_id"),
    ({"device_id": "phone", "x25519": X, "ed25519": ED}, "invalid"),  # no sig
    ({**signed("phone", X), "sig": ""}, "invalid_signature"),
    ({**signed("phone", X), "sig": "not base64!"}, "invalid_signature"),
    ({**signed("phone", X), "sig": signed("phone", X)["sig"][:-8] + "AAAAAAA="}, "invalid_signature"),
    ({**signed("laptop", X), "device_id": "phone"}, "invalid_signature"),  # signed for another device
    ({**signed("phone", ED), "x25519": X}, "invalid_signature"),  # signed another key
    ({**signed("phone", X), "ed25519": base64.b64encode(bytes(OTHER_SIGNER.verify_key)).decode()},
     "invalid_signature"),  # someone else's signing key
])
async def test_bad_keys_are_400(client, body, code):
    alice = await register(client, "alice")
    r = await client.put("/api/v1/me/keys", headers=alice.headers, json=body)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == code
    assert (await client.get("/api/v1/me", headers=alice.headers)).json()["keys"] == []
