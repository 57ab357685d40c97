"""ASVS 8.3.2: GET /api/v1/me/export and DELETE /api/v1/me (docs/api.md, "Your data")."""

from __future__ import annotations

import json

import pytest
from litestar.exceptions import WebSocketDisconnect

from chatd.services import account_export
from tests.api.account_helpers import PASSWORD, in_app, login, services
from tests.api.message_helpers import CONV, direct, group, send
from tests.api.webauthn_helpers import add_key
from tests.conftest import register

ME = "/api/v1/me"


async def export(client, who) -> dict:
    r = await client.get(f"{ME}/export", headers=who.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["content-disposition"].startswith("attachment;")
    return r.json()


async def history(client, who, conv_id) -> list[dict]:
    """Every message `who` sees in the conversation, by paging history as a client does."""
    items: list[dict] = []
    after = 0
    while True:
        r = await client.get(f"{CONV}/{conv_id}/messages", params={"after_seq": after, "limit": 3},
                             headers=who.headers)
        assert r.status_code == 200, r.text
        page = r.json()
        items += page["items"]
        if not page["has_more"]:
            return items
        after = page["items"][-1]["seq"]


async def delete_me(client, who, password=PASSWORD, **kw):
    return await client.request("DELETE", ME, json={"password": password}, headers=who.headers, **kw)


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(account_export, "PAGE", 2)


async def test_export_is_exactly_what_history_shows_the_user(client, small_pages):
    admin = await register(client, "root")
    alice, bob, carol = [await register(client, n) for n in ("alice", "bob", "carol")]
    team = await group(client, alice, bob)
    pair = await direct(client, alice, bob)
    hidden = await direct(client, bob, carol)  # alice is not in it
    left = await group(client, bob, alice, carol)
    for i in range(5):
        await send(client, team, bob if i % 2 else alice, body=f"team {i}")
    first = await send(client, pair, bob, body="just us")
    await send(client, hidden, carol, body="secret of bob and carol")
    await send(client, left, carol, body="before alice left")
    assert (await client.delete(f"{CONV}/{left}/members/{alice.id}", headers=alice.headers)).status_code == 204
    await send(client, left, carol, body="after alice left")
    r = await client.put(f"/api/v1/messages/{first['id']}/reactions/%F0%9F%91%8D", headers=alice.headers)
    assert r.status_code in (200, 204), r.text
    r = await client.patch(ME, headers=alice.headers, json={"version": 1, "preferences": {"theme": "dark"}})
    assert r.status_code == 200
    await add_key(client, alice)

    data = await export(client, alice)
    assert data["format"] == "chatd-export" and data["version"] == 1
    assert data["user"]["id"] == alice.id and data["user"]["preferences"] == {"theme": "dark"}
    assert [s["current"] for s in data["sessions"]] == [True]
    assert [k["name"] for k in data["security_keys"]] == ["Blue key"]  # never its credential or public key
    assert set(data["security_keys"][0]) == {"id", "name", "transports", "created_at", "last_used_at"}
    listed = {c["id"] for c in (await client.get(CONV, headers=alice.headers)).json()["items"]}
    assert {c["conversation"]["id"] for c in data["conversations"]} == listed == {team, pair}
    for entry in data["conversations"]:
        assert entry["messages"] == await history(client, alice, entry["conversation"]["id"])
        assert entry["membership"]["user_id"] == alice.id
    text = json.dumps(data)
    assert "secret of bob and carol" not in text and "before alice left" not in text and left not in text
    assert hidden not in text and admin.id not in text
    mine = next(c for c in data["conversations"] if c["conversation"]["id"] == pair)
    assert mine["messages"][0]["reactions"] == {"\U0001f44d": [alice.id]}
    # Other people only as everyone sees them.
    for entry in data["conversations"]:
        for m in entry["members"]:
            assert set(m) == {"user", "role", "joined_at"}
            assert not {"preferences", "role", "last_seen_at", "disabled"} & set(m["user"])
    assert "password" not in text and alice.token not in text and "hash" not in text


async def test_export_lists_attachments_with_links_only_members_can_follow(client):
    alice, bob, carol = [await register(client, n) for n in ("alice", "bob", "carol")]
    team = await group(client, alice, bob)
    r = await client.post(f"{CONV}/{team}/attachments", headers=bob.headers,
                          files={"file": ("notes.txt", b"hello file", "text/plain")})
    assert r.status_code == 201, r.text
    await send(client, team, bob, body="a file", attachments=[r.json()["id"]])
    entry = (await export(client, alice))["conversations"][0]
    [file] = entry["attachments"]
    assert file["attachment"]["filename"] == "notes.txt" and file["attachment"]["uploader_id"] == bob.id
    assert (await client.get(file["download"], headers=alice.headers)).content == b"hello file"
    assert (await client.get(file["download"], headers=carol.headers)).status_code == 404
    assert (await export(client, carol))["conversations"] == []


async def test_export_is_only_ever_the_callers_own(client):
    alice, bob = [await register(client, n) for n in ("alice", "bob")]
    await send(client, await group(client, alice), alice, body="alice alone")
    assert (await client.get(f"{ME}/export")).status_code == 401
    for path in (f"{ME}/export?user_id={alice.id}", f"{ME}/export?user={alice.id}"):
        data = (await client.get(path, headers=bob.headers)).json()
        assert data["user"]["id"] == bob.id and "alice alone" not in json.dumps(data)
    assert (await client.get(f"/api/v1/users/{alice.id}/export", headers=bob.headers)).status_code in (404, 405)


async def test_a_wrong_password_deletes_nothing(client):
    await register(client, "root")
    alice, bob = [await register(client, n) for n in ("alice", "bob")]
    team = await group(client, alice, bob)
    before = await export(client, alice)
    for body, status, code in (({"password": "not it at all"}, 403, "wrong_password"), ({}, 400, "invalid"),
                               ({"password": ""}, 403, "wrong_password"), ({"password": 5}, 400, "invalid")):
        r = await client.request("DELETE", ME, json=body, headers=alice.headers)
        assert (r.status_code, r.json()["code"]) == (status, code), body
    after = await export(client, alice)
    assert after["user"] == before["user"] and after["conversations"] == before["conversations"]
    assert (await login(client, "alice")).status_code == 200
    members = (await client.get(f"{CONV}/{team}", headers=bob.headers)).json()["members"]
    assert alice.id in {m["user_id"] for m in members}


async def test_deletion_ends_every_session_and_keeps_the_conversation_for_the_others(client):
    await register(client, "root")
    alice, bob, carol = [await register(client, n) for n in ("alice", "bob", "carol")]
    token = (await client.post(f"{ME}/tokens", json={"name": "bot"}, headers=alice.headers)).json()["token"]
    other = (await login(client, "alice")).json()["token"]
    team = await group(client, alice, bob, carol)
    pair = await direct(client, alice, bob)
    said = await send(client, team, alice, body="hello from alice")
    await send(client, pair, alice, body="just for bob")
    r = await client.post("/api/v1/contacts", json={"user_id": bob.id}, headers=alice.headers)
    assert r.status_code in (200, 201), r.text

    assert (await delete_me(client, alice)).status_code == 204
    for secret in (alice.token, token, other):
        r = await client.get(ME, headers={"Authorization": f"Bearer {secret}"})
        assert (r.status_code, r.json()["code"]) == (401, "invalid_token")  # ended, not just refused
    r = await login(client, "alice")
    assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"
    # The username stays reserved.
    r = await client.post("/api/v1/auth/register", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 409 and r.json()["code"] == "username_taken"
    # The others keep the conversations and alice's messages, from "Deleted user".
    assert [m["body"] for m in await history(client, bob, team)] == ["hello from alice"]
    assert [m["body"] for m in await history(client, bob, pair)] == ["just for bob"]
    assert (await history(client, carol, team))[0]["sender_id"] == alice.id == said["sender_id"]
    shown = (await client.get(f"/api/v1/users/{alice.id}", headers=bob.headers)).json()
    assert shown["display_name"] == "Deleted user" and shown["keys"] == [] and shown["bio"] == ""
    # Alice left the group; ownership passed on; the direct keeps its pair.
    members = (await client.get(f"{CONV}/{team}", headers=bob.headers)).json()["members"]
    assert {m["user_id"]: m["role"] for m in members} == {bob.id: "owner", carol.id: "member"}
    assert (await client.get(f"{CONV}/{pair}", headers=bob.headers)).status_code == 200
    assert alice.id not in json.dumps((await client.get("/api/v1/contacts", headers=bob.headers)).json())
    found = (await client.get("/api/v1/users", params={"q": "alice"}, headers=bob.headers)).json()
    assert alice.id not in json.dumps(found)


async def test_a_group_only_the_deleted_user_was_in_is_removed(client):
    await register(client, "root")
    alice, bob = [await register(client, n) for n in ("alice", "bob")]
    alone = await group(client, alice)
    shared = await group(client, alice, bob)
    said = await send(client, alone, alice, body="note to self")
    assert (await delete_me(client, alice)).status_code == 204
    stores = services(client).stores
    assert await in_app(client, stores.conversations.get, alone) is None
    assert await in_app(client, stores.messages.get, said["id"]) is None
    assert await in_app(client, stores.conversations.get, shared) is not None


async def test_the_last_admin_cannot_delete_themselves(client):
    root = await register(client, "root")
    bob = await register(client, "bob")
    r = await delete_me(client, root)
    assert r.status_code == 409 and r.json()["code"] == "last_admin"
    assert (await client.get(ME, headers=root.headers)).status_code == 200
    r = await client.put(f"/api/v1/admin/users/{bob.id}/role", json={"role": "admin"}, headers=root.headers)
    assert r.status_code == 200, r.text
    assert (await delete_me(client, root)).status_code == 204
    assert (await client.get(ME, headers=bob.headers)).json()["role"] == "admin"


async def test_an_admin_cannot_bring_a_deleted_account_back(client):
    root = await register(client, "root")
    alice = await register(client, "alice")
    assert (await delete_me(client, alice)).status_code == 204
    r = await client.post(f"/api/v1/admin/users/{alice.id}/enable", headers=root.headers)
    assert r.status_code == 409 and r.json()["code"] == "account_deleted"
    assert (await login(client, "alice")).status_code == 401


async def test_a_cookie_deletion_needs_the_csrf_header(client):
    await register(client, "root")
    await register(client, "alice")
    r = await login(client, "alice")
    csrf = r.cookies["csrf_token"]
    r = await client.request("DELETE", ME, json={"password": PASSWORD})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    assert (await client.get(ME)).status_code == 200
    r = await client.request("DELETE", ME, json={"password": PASSWORD}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert (await client.get(ME)).status_code == 401


async def test_deletion_closes_live_sockets_at_once(client):
    await register(client, "root")
    ann = await register(client, "ann")
    ws = await client.websocket_connect("/api/v1/ws", headers=ann.headers)
    with ws:
        assert json.loads(ws.receive_text(timeout=5))["type"] == "hello"
        assert json.loads(ws.receive_text(timeout=5))["type"] == "ready"
        assert (await delete_me(client, ann)).status_code == 204
        seen = []
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                seen.append(json.loads(ws.receive_text(timeout=5)))
        assert closed.value.code == 4403
        assert [f["code"] for f in seen if f["type"] == "error"] == ["account_disabled"]
