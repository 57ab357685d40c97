"""Messages over HTTP: the two-person flow, retries, edits with versions,
tombstones, reactions, history paging, input rules, limits, blocks, and 404
for everyone outside the conversation."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd import clock
from chatd.domain import Attachment
from chatd.storage.ports.messages import HistoryPage
from tests.api.account_helpers import in_app, services
from tests.api.message_helpers import CONV, MSG, direct, group, send
from tests.e2ee_device import publish_device
from tests.conftest import register


@pytest.fixture
async def trio(client):
    return [await register(client, name) for name in ("ann", "bob", "eve")]



async def stored(client, read):
    """A call on the app's stores (through the ports: the conversation side
    may be on any adapter), on the app's own loop."""
    stores = services(client).stores

    async def run():
        return await read(stores)

    return await in_app(client, run)


async def last_seq(client, conv: str) -> int:
    return (await stored(client, lambda st: st.conversations.get(conv))).last_seq

async def test_two_people_talk_and_a_third_sees_nothing(client, trio):
    ann, bob, eve = trio
    conv = await direct(client, ann, bob)
    hi = await send(client, conv, ann, "Hi Bob!", client_id="a-1")
    assert (hi["seq"], hi["sender_id"], hi["body"], hi["version"], hi["kind"]) == (1, ann.id, "Hi Bob!", 1, "text")
    reply = await send(client, conv, bob, "Hi Ann", client_id="b-1", reply_to=hi["id"], mentions=[ann.id, eve.id])
    assert (reply["seq"], reply["reply_to"], reply["mentions"]) == (2, hi["id"], [ann.id])  # eve is not here
    # A retry of the same client_id answers 200 with the first message; nothing new.
    again = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "a-1", "body": "Hi Bob!"},
                              headers=ann.headers)
    assert again.status_code == 200 and again.json() == hi
    page = (await client.get(f"{CONV}/{conv}/messages", headers=bob.headers)).json()
    assert [m["body"] for m in page["items"]] == ["Hi Bob!", "Hi Ann"] and page["has_more"] is False
    # Edit: the right version works once; the stale one gets 409 with the current message.
    r = await client.patch(f"{MSG}/{hi['id']}", json={"body": "Hi Bob!!", "version": 1}, headers=ann.headers)
    assert r.status_code == 200 and (r.json()["body"], r.json()["version"]) == ("Hi Bob!!", 2)
    assert r.json()["edited_at"] is not None
    r = await client.patch(f"{MSG}/{hi['id']}", json={"body": "lost", "version": 1}, headers=ann.headers)
    assert r.status_code == 409 and r.json()["code"] == "version_conflict"
    assert r.json()["current"]["body"] == "Hi Bob!!" and r.json()["current"]["version"] == 2
    assert (await client.get(f"{MSG}/{hi['id']}", headers=bob.headers)).json()["body"] == "Hi Bob!!"
    # The third user: every door is a 404, and search finds nothing.
    for method, url, body in [
        ("GET", f"{CONV}/{conv}", None),
        ("GET", f"{CONV}/{conv}/messages", None),
        ("POST", f"{CONV}/{conv}/messages", {"client_id": "e-1", "body": "let me in"}),
        ("GET", f"{MSG}/{hi['id']}", None),
        ("PATCH", f"{MSG}/{hi['id']}", {"body": "x", "version": 2}),
        ("DELETE", f"{MSG}/{hi['id']}", None),
        ("PUT", f"{MSG}/{hi['id']}/reactions/{quote('👍')}", None),
        ("GET", f"/api/v1/search?q=Bob&conversation_id={conv}", None),
    ]:
        r = await client.request(method, url, json=body, headers=eve.headers)
        assert r.status_code == 404, (method, url, r.text)
        assert "Bob" not in r.text
    r = await client.get("/api/v1/search", params={"q": "Bob"}, headers=eve.headers)
    assert r.status_code == 200 and r.json() == {"items": []}
    r = await client.get("/api/v1/search", params={"q": "Bob"}, headers=bob.headers)
    assert [m["id"] for m in r.json()["items"]] == [hi["id"]]


async def test_edit_with_if_match_and_rules(client, trio):
    ann, bob, _ = trio
    conv = await direct(client, ann, bob)
    m = await send(client, conv, ann, "typo")
    url = f"{MSG}/{m['id']}"
    r = await client.patch(url, json={"body": "fixed"}, headers={**ann.headers, "If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = await client.patch(url, json={"body": "again"}, headers={**ann.headers, "If-Match": 'W/"1"'})
    assert r.status_code == 409
    r = await client.patch(url, json={"body": "again"}, headers={**ann.headers, "If-Match": "*"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_if_match"
    r = await client.patch(url, json={"body": "again"}, headers=ann.headers)
    assert r.status_code == 400 and r.json()["code"] == "version_required"
    r = await client.patch(url, json={"body": "again", "version": 2}, headers={**ann.headers, "If-Match": '"1"'})
    assert r.status_code == 400 and r.json()["code"] == "version_mismatch"
    r = await client.patch(url, json={"body": "not mine", "version": 2}, headers=bob.headers)
    assert r.status_code == 403 and r.json()["code"] == "not_sender"
    r = await client.patch(url, json={"body": "   ", "version": 2}, headers=ann.headers)
    assert r.status_code == 400 and r.json()["code"] == "empty_body"
    r = await client.patch(url, json={"body": 5, "version": 2}, headers=ann.headers)
    assert r.status_code == 400
    r = await client.patch(f"{MSG}/nope", json={"body": "x", "version": 1}, headers=ann.headers)
    assert r.status_code == 404 and r.json()["code"] == "message_not_found"


async def test_delete_leaves_a_tombstone_for_sender_or_admin(client, trio):
    ann, bob, eve = trio
    conv = await group(client, ann, bob, eve)  # ann owns it
    by_bob = await send(client, conv, bob, "bob's secret")
    by_eve = await send(client, conv, eve, "eve's note")
    r = await client.delete(f"{MSG}/{by_eve['id']}", headers=bob.headers)
    assert r.status_code == 403 and r.json()["code"] == "not_allowed"
    assert (await client.delete(f"{MSG}/{by_bob['id']}", headers=bob.headers)).status_code == 204
    assert (await client.delete(f"{MSG}/{by_bob['id']}", headers=bob.headers)).status_code == 204  # idempotent
    assert (await client.delete(f"{MSG}/{by_eve['id']}", headers=ann.headers)).status_code == 204  # owner
    gone = (await client.get(f"{MSG}/{by_bob['id']}", headers=eve.headers)).json()
    assert gone["body"] is None and gone["deleted_at"] is not None and gone["version"] == 2 and gone["seq"] == 1
    r = await client.patch(f"{MSG}/{by_bob['id']}", json={"body": "back", "version": 2}, headers=bob.headers)
    assert r.status_code == 410 and r.json()["code"] == "message_deleted"
    r = await client.put(f"{MSG}/{by_bob['id']}/reactions/{quote('👍')}", headers=ann.headers)
    assert r.status_code == 410
    r = await client.get("/api/v1/search", params={"q": "secret"}, headers=ann.headers)
    assert r.json()["items"] == []
    assert (await client.delete(f"{MSG}/nope", headers=ann.headers)).status_code == 404


async def test_reactions(client, trio):
    ann, bob, _ = trio
    conv = await direct(client, ann, bob)
    m = await send(client, conv, ann, "party?")
    thumbs = f"{MSG}/{m['id']}/reactions/{quote('👍')}"
    r = await client.put(thumbs, headers=bob.headers)
    assert r.status_code == 200 and r.json()["reactions"] == {"👍": [bob.id]} and r.json()["version"] == 2
    r = await client.put(thumbs, headers=bob.headers)
    assert r.status_code == 200 and r.json()["version"] == 2  # no-op
    r = await client.put(f"{MSG}/{m['id']}/reactions/{quote('👨‍👩‍👧')}", headers=ann.headers)
    assert r.status_code == 200 and set(r.json()["reactions"]) == {"👍", "👨‍👩‍👧"}
    r = await client.delete(thumbs, headers=bob.headers)
    assert r.status_code == 200 and r.json()["reactions"] == {"👨‍👩‍👧": [ann.id]}
    for bad in ("abc", "+1", ":)", "👍 👍", "a👍", "x" * 40):
        r = await client.put(f"{MSG}/{m['id']}/reactions/{quote(bad)}", headers=bob.headers)
        assert r.status_code == 400 and r.json()["code"] == "invalid_emoji", bad
    for ok in ("🇫🇷", "1️⃣", "❤️", "👍🏽"):
        r = await client.put(f"{MSG}/{m['id']}/reactions/{quote(ok)}", headers=bob.headers)
        assert r.status_code == 200, ok
    r = await client.put(f"{MSG}/nope/reactions/{quote('👍')}", headers=bob.headers)
    assert r.status_code == 404


async def test_history_paging(client, trio):
    ann, bob, _ = trio
    conv = await direct(client, ann, bob)
    for i in range(5):
        await send(client, conv, ann, f"m{i}", client_id=f"m{i}")
    url = f"{CONV}/{conv}/messages"

    async def page(**params):
        r = await client.get(url, params=params, headers=bob.headers)
        assert r.status_code == 200, r.text
        return [m["seq"] for m in r.json()["items"]], r.json()["has_more"]

    assert await page(limit=2) == ([4, 5], True)
    assert await page(limit=2, before_seq=4) == ([2, 3], True)
    assert await page(limit=2, before_seq=2) == ([1], False)
    assert await page(limit=2, after_seq=0) == ([1, 2], True)
    assert await page(limit=2, after_seq=3) == ([4, 5], False)
    for bad in ({"before_seq": 3, "after_seq": 1}, {"limit": 0}, {"limit": 201}, {"before_seq": "x"},
                {"after_seq": -1}):
        r = await client.get(url, params=bad, headers=bob.headers)
        assert r.status_code == 400, bad
    assert (await client.get(f"{CONV}/nope/messages", headers=bob.headers)).status_code == 404


async def test_bad_send_bodies(client, trio):
    ann, bob, _ = trio
    conv = await direct(client, ann, bob)
    url = f"{CONV}/{conv}/messages"
    bad_json = await client.post(url, content=b'{"client_id": "x", "body": ', headers={
        **ann.headers, "Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.headers["content-type"] == "application/problem+json"
    for body, code in [
        ({"body": "no client id"}, None),
        ({"client_id": "x", "body": 5}, None),
        ({"client_id": 7, "body": "x"}, None),
        ({"client_id": "has space", "body": "x"}, None),
        ({"client_id": "x" * 65, "body": "x"}, None),
        ({"client_id": "", "body": "x"}, None),
        ({"client_id": "x", "body": "x", "colour": "red"}, None),
        ({"client_id": "x", "kind": "system", "body": "x"}, None),
        ({"client_id": "x", "attachments": "a1", "body": "x"}, None),
        ({"client_id": "x"}, "body_required"),
        ({"client_id": "x", "body": " \n\t "}, "empty_body"),
        ({"client_id": "x", "body": "\x00\x01\u202e"}, "empty_body"),
        ({"client_id": "x", "body": "x", "envelope": {"alg": "a", "sender_device": "d", "nonce": "n",
                                                       "ciphertext": "c"}, "kind": "text"}, "unexpected_envelope"),
    ]:
        r = await client.post(url, json=body, headers=ann.headers)
        assert r.status_code == 400, (body, r.text)
        if code:
            assert r.json()["code"] == code, body
    assert await stored(client, lambda st: st.messages.history(conv)) == HistoryPage(items=[], has_more=False)
    assert await last_seq(client, conv) == 0


async def test_body_is_cleaned_then_measured(client, trio):
    ann, bob, _ = trio
    conv = await direct(client, ann, bob)
    m = await send(client, conv, ann, "a\x00b\x1b[31mc\u202ed\r\nline two\ttab")
    assert m["body"] == "ab[31mcd\nline two\ttab"
    m = await send(client, conv, ann, "Cafe\u0301")
    assert m["body"] == "Caf\u00e9" and len(m["body"]) == 4
    # 8000 characters (the default limit) pass, also when controls made it longer before cleaning.
    assert len((await send(client, conv, ann, "x" * 8000 + "\x00" * 10))["body"]) == 8000
    r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "long", "body": "x" * 8001},
                          headers=ann.headers)
    assert r.status_code == 413 and r.json()["code"] == "message_too_long" and r.json()["max_chars"] == 8000


async def test_reply_to_and_unknown_targets(client, trio):
    ann, bob, eve = trio
    conv = await direct(client, ann, bob)
    other = await direct(client, ann, eve)
    elsewhere = await send(client, other, ann, "to eve")
    r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "r1", "body": "x", "reply_to": elsewhere["id"]},
                          headers=ann.headers)
    assert r.status_code == 400 and r.json()["code"] == "invalid_reply_to"
    r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "r2", "body": "x", "reply_to": "nope"},
                          headers=ann.headers)
    assert r.status_code == 400 and r.json()["code"] == "invalid_reply_to"
    r = await client.post(f"{CONV}/nope/messages", json={"client_id": "r3", "body": "x"}, headers=ann.headers)
    assert r.status_code == 404 and r.json()["code"] == "conversation_not_found"
    assert (await client.get(f"{MSG}/nope", headers=ann.headers)).status_code == 404
    # The same client_id in another conversation is not a retry.
    r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": elsewhere["client_id"], "body": "x"},
                          headers=ann.headers)
    assert r.status_code == 409 and r.json()["code"] == "client_id_in_use"


async def test_attachments_must_be_own_unsent_uploads_here(client, trio):
    ann, bob, eve = trio
    conv = await direct(client, ann, bob)
    other = await direct(client, ann, eve)
    for att, who, where in [("mine", ann, conv), ("bobs", bob, conv), ("there", ann, other), ("mine2", ann, conv)]:
        row = Attachment(id=att, uploader_id=who.id, conversation_id=where, filename="f.png", content_type="image/png",
                         size=1, sha256="x", created_at=clock.now())
        await stored(client, lambda st, row=row: st.attachments.add(row, row.id))
    for ids in (["bobs"], ["there"], ["nope"], ["mine", "bobs"]):
        r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": f"x{len(ids)}{ids[-1]}", "body": "pic",
                                                               "attachments": ids}, headers=ann.headers)
        assert r.status_code == 400 and r.json()["code"] == "invalid_attachments", ids
    # A picture needs no caption.
    m = await send(client, conv, ann, "", client_id="pic", attachments=["mine", "mine2", "mine"])
    assert m["attachments"] == ["mine", "mine2"] and m["seq"] == 1
    assert (await stored(client, lambda st: st.attachments.get("mine2"))).attachment.message_id == m["id"]
    await send(client, conv, ann, "again", client_id="pic2", attachments=["mine"], expect=400)


async def test_e2ee_rules(client, trio):
    ann, bob, _ = trio
    conv = await group(client, ann, bob, e2ee=True)
    env = {"alg": "x25519-xsalsa20poly1305", "sender_device": await publish_device(client, ann), "nonce": "bm9uY2U=",
           "ciphertext": "Y2lwaGVy", "keys": {"d2": "a2V5"}, "sig": "c2ln"}
    r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "t", "body": "plain"}, headers=ann.headers)
    assert r.status_code == 400 and r.json()["code"] == "e2ee_required"
    m = await send(client, conv, ann, None, client_id="e1", envelope=env)
    assert (m["kind"], m["body"], m["envelope"]) == ("encrypted", None, env)
    r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "e2", "kind": "encrypted"},
                          headers=ann.headers)
    assert r.status_code == 400 and r.json()["code"] == "envelope_required"
    big = {**env, "ciphertext": "A" * 50_000}
    r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "e3", "envelope": big}, headers=ann.headers)
    assert r.status_code == 413
    env2 = {**env, "ciphertext": "bmV3"}
    r = await client.patch(f"{MSG}/{m['id']}", json={"envelope": env2, "version": 1}, headers=ann.headers)
    assert r.status_code == 200 and r.json()["envelope"]["ciphertext"] == "bmV3"
    r = await client.get("/api/v1/search", params={"q": "cipher"}, headers=ann.headers)
    assert r.json()["items"] == []


async def test_an_envelope_must_come_from_a_device_on_the_senders_account(client, trio):
    ann, bob, _ = trio
    conv = await group(client, ann, bob, e2ee=True)
    mine, bobs = await publish_device(client, ann, "laptop"), await publish_device(client, bob, "phone")
    env = {"alg": "x25519-xsalsa20poly1305", "sender_device": mine, "nonce": "bm9uY2U=", "ciphertext": "Y2lwaGVy"}
    m = await send(client, conv, ann, None, client_id="ok", envelope=env)
    # Bob's device, a device Ann never published, a bare device id, her id alone: refused, nothing stored.
    for i, device in enumerate((bobs, f"{ann.id}:tablet", "laptop", f"{ann.id}:", f":{ann.id}")):
        r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": f"no{i}",
                              "envelope": {**env, "sender_device": device}}, headers=ann.headers)
        assert r.status_code == 400 and r.json()["code"] == "unknown_sender_device", (device, r.text)
    # Once Ann removes the laptop (a lost device that still holds her session), it can neither send nor edit.
    assert (await client.delete("/api/v1/me/keys/laptop", headers=ann.headers)).status_code == 200
    r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "lost", "envelope": env}, headers=ann.headers)
    assert r.status_code == 400 and r.json()["code"] == "unknown_sender_device"
    r = await client.patch(f"{MSG}/{m['id']}", json={"envelope": {**env, "ciphertext": "bmV3"}, "version": 1},
                           headers=ann.headers)
    assert r.status_code == 400 and r.json()["code"] == "unknown_sender_device"
    assert [x["client_id"] for x in (await client.get(f"{CONV}/{conv}/messages", headers=bob.headers)).json()["items"]
            if x["kind"] == "encrypted"] == ["ok"]
    assert (await client.get(f"{MSG}/{m['id']}", headers=bob.headers)).json()["version"] == 1


async def test_encrypted_refused_when_the_server_disables_e2ee(config_with):
    async with AsyncTestClient(create_app(config_with(features={"e2ee": False}))) as client:
        ann, bob = await register(client, "ann"), await register(client, "bob")
        conv = await direct(client, ann, bob)
        env = {"alg": "a", "sender_device": "d", "nonce": "n", "ciphertext": "c"}
        r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "e", "envelope": env}, headers=ann.headers)
        assert r.status_code == 400 and r.json()["code"] == "e2ee_disabled"


async def test_send_rate_limit(config_with):
    async with AsyncTestClient(create_app(config_with(limits={"messages_per_minute": 3}))) as client:
        ann, bob = await register(client, "ann"), await register(client, "bob")
        conv = await direct(client, ann, bob)
        for i in range(3):
            await send(client, conv, ann, f"m{i}", client_id=f"m{i}")
        r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "m3", "body": "one too many"},
                              headers=ann.headers)
        assert r.status_code == 429 and r.json()["code"] == "send_rate_limited"
        assert 1 <= int(r.headers["Retry-After"]) <= 60
        await send(client, conv, bob, "bob has his own budget", client_id="b0")


async def test_blocked_direct_messages_are_refused(client, trio):
    ann, bob, _ = trio
    conv = await direct(client, ann, bob)
    await send(client, conv, ann, "before", client_id="before")
    r = await client.post(f"/api/v1/contacts/{ann.id}/block", headers=bob.headers)
    assert r.status_code == 200, r.text
    r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "after", "body": "hello?"},
                          headers=ann.headers)
    assert r.status_code == 403 and r.json()["code"] == "contact_refused"
    r = await client.post(f"{CONV}/{conv}/messages", json={"client_id": "mine", "body": "x"}, headers=bob.headers)
    assert r.status_code == 403 and r.json()["code"] == "contact_blocked"
    assert await last_seq(client, conv) == 1
