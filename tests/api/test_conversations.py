"""Conversations over HTTP: direct and group creation, the list with unread
counts, versioned edits, members and roles, read markers, and 404 for
everyone outside."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.conftest import register

URL = "/api/v1/conversations"


@pytest.fixture
async def four(client):
    return [await register(client, name) for name in ("ann", "bob", "cyd", "dee")]


async def send(client, conversation_id: str, sender, n: int = 1) -> None:
    for _ in range(n):
        r = await client.post(f"{URL}/{conversation_id}/messages", headers=sender.headers,
                              json={"client_id": uuid.uuid4().hex, "body": "hello"})
        assert r.status_code == 201, r.text


async def group(client, owner, *members, title="Team") -> dict:
    r = await client.post(URL, json={"kind": "group", "title": title, "member_ids": [m.id for m in members]},
                          headers=owner.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def roles(client, conv_id, who) -> dict[str, str]:
    r = await client.get(f"{URL}/{conv_id}", headers=who.headers)
    assert r.status_code == 200, r.text
    return {m["user_id"]: m["role"] for m in r.json()["members"]}


async def test_direct_is_created_once_per_pair(client, four):
    ann, bob, *_ = four
    first = await client.post(URL, json={"kind": "direct", "user_id": bob.id}, headers=ann.headers)
    assert first.status_code == 201
    body = first.json()
    assert body["kind"] == "direct" and {m["user_id"] for m in body["members"]} == {ann.id, bob.id}
    assert {m["user"]["username"] for m in body["members"]} == {"ann", "bob"}
    assert (body["unread"], body["last_message"]) == (0, None)
    again = await client.post(URL, json={"kind": "direct", "user_id": bob.id}, headers=ann.headers)
    back = await client.post(URL, json={"kind": "direct", "user_id": ann.id}, headers=bob.headers)
    assert (again.status_code, back.status_code) == (200, 200)
    assert again.json()["id"] == back.json()["id"] == body["id"]


async def test_direct_opened_concurrently_is_one(client, four):
    ann, bob, *_ = four
    rs = await asyncio.gather(*[
        client.post(URL, json={"kind": "direct", "user_id": other.id}, headers=me.headers)
        for me, other in [(ann, bob), (bob, ann)] * 4
    ])
    assert sorted(r.status_code for r in rs) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in rs}) == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{", "invalid"),
        (b'{"kind": "direct"}', "invalid"),
        (b'{"user_id": "x"}', "invalid"),
        (b'{"kind": "channel", "user_id": "x"}', "invalid"),
        (b'{"kind": "direct", "user_id": 7}', "invalid"),
        (b'{"kind": "group", "member_ids": []}', "invalid"),
        (b'{"kind": "group", "title": 5}', "invalid"),
        (b'{"kind": "group", "title": "t", "member_ids": "x"}', "invalid"),
        (b'{"kind": "group", "title": "t", "surprise": true}', "invalid"),
        (b'{"kind": "group", "title": " \\n\\u0007 "}', "invalid_title"),
    ],
)
async def test_create_bad_input(client, four, body, code):
    r = await client.post(URL, content=body, headers={**four[0].headers, "Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (400, code), r.text


async def test_create_refusals(client, four):
    ann, bob, *_ = four
    r = await client.post(URL, json={"kind": "direct", "user_id": ann.id}, headers=ann.headers)
    assert (r.status_code, r.json()["code"]) == (400, "self_direct")
    r = await client.post(URL, json={"kind": "direct", "user_id": "nobody"}, headers=ann.headers)
    assert (r.status_code, r.json()["code"]) == (404, "user_not_found")
    r = await client.post(URL, json={"kind": "group", "title": "t" * 201}, headers=ann.headers)
    assert (r.status_code, r.json()["code"]) == (400, "invalid_title")
    ok = await client.post(URL, json={"kind": "group", "title": "t" * 200}, headers=ann.headers)
    assert ok.status_code == 201 and len(ok.json()["members"]) == 1
    body = {"kind": "group", "title": "t", "member_ids": [bob.id, "ghost"]}
    r = await client.post(URL, json=body, headers=ann.headers)
    assert (r.status_code, r.json()["user_ids"]) == (404, ["ghost"])
    await client.post(f"/api/v1/contacts/{ann.id}/block", headers=bob.headers)
    r = await client.post(URL, json={"kind": "group", "title": "t", "member_ids": [bob.id]}, headers=ann.headers)
    assert (r.status_code, r.json()["code"]) == (403, "contact_refused")
    assert (await client.get(URL)).status_code == 401


async def test_group_owner_and_members(client, four):
    ann, bob, cyd, _ = four
    conv = await group(client, ann, bob, cyd, title="  Launch\u0000 plans ")
    assert conv["title"] == "Launch plans" and conv["created_by"] == ann.id
    assert await roles(client, conv["id"], bob) == {ann.id: "owner", bob.id: "member", cyd.id: "member"}


async def test_outsiders_get_404_everywhere(client, four):
    ann, bob, _, dee = four
    conv = await group(client, ann, bob)
    cid = conv["id"]
    calls = [
        client.get(f"{URL}/{cid}", headers=dee.headers),
        client.patch(f"{URL}/{cid}", json={"title": "x", "version": 1}, headers=dee.headers),
        client.post(f"{URL}/{cid}/members", json={"user_ids": [dee.id]}, headers=dee.headers),
        client.delete(f"{URL}/{cid}/members/{bob.id}", headers=dee.headers),
        client.delete(f"{URL}/{cid}/members/{dee.id}", headers=dee.headers),
        client.patch(f"{URL}/{cid}/members/{bob.id}", json={"muted": True}, headers=dee.headers),
        client.post(f"{URL}/{cid}/read", json={"seq": 1}, headers=dee.headers),
        client.get(f"{URL}/nonexistent", headers=ann.headers),
    ]
    for r in await asyncio.gather(*calls):
        assert (r.status_code, r.json()["code"]) == (404, "conversation_not_found"), r.request.url
    assert [c["id"] for c in (await client.get(URL, headers=dee.headers)).json()["items"]] == []


async def test_patch_with_versions(client, four):
    ann, bob, *_ = four
    cid = (await group(client, ann, bob))["id"]
    r = await client.patch(f"{URL}/{cid}", json={"title": "Crew", "topic": "weekly", "version": 1}, headers=ann.headers)
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    assert (r.json()["title"], r.json()["topic"], r.json()["version"]) == ("Crew", "weekly", 2)
    stale = await client.patch(f"{URL}/{cid}", json={"title": "Late", "version": 1}, headers=ann.headers)
    assert (stale.status_code, stale.json()["code"]) == (409, "version_conflict")
    assert (stale.json()["current"]["version"], stale.json()["current"]["title"]) == (2, "Crew")
    stale = await client.patch(f"{URL}/{cid}", json={"title": "Late"}, headers={**ann.headers, "If-Match": '"1"'})
    assert stale.status_code == 409
    r = await client.patch(f"{URL}/{cid}", json={"title": "Via header"}, headers={**ann.headers, "If-Match": 'W/"2"'})
    assert (r.status_code, r.json()["version"]) == (200, 3)
    missing = await client.patch(f"{URL}/{cid}", json={"title": "No version"}, headers=ann.headers)
    assert (missing.status_code, missing.json()["code"]) == (400, "version_required")
    too_long = await client.patch(f"{URL}/{cid}", json={"title": "x" * 201, "version": 3}, headers=ann.headers)
    assert (too_long.status_code, too_long.json()["code"]) == (400, "invalid_title")
    bad = await client.patch(f"{URL}/{cid}", json={"title": "x", "version": "three"}, headers=ann.headers)
    assert bad.status_code == 400
    member = await client.patch(f"{URL}/{cid}", json={"title": "Mine", "version": 3}, headers=bob.headers)
    assert (member.status_code, member.json()["code"]) == (403, "not_admin")
    got = await client.get(f"{URL}/{cid}", headers=bob.headers)
    assert got.json()["title"] == "Via header" and got.headers["etag"] == '"3"'


async def test_direct_cannot_be_renamed_or_changed_in_membership(client, four):
    ann, bob, cyd, _ = four
    cid = (await client.post(URL, json={"kind": "direct", "user_id": bob.id}, headers=ann.headers)).json()["id"]
    r = await client.patch(f"{URL}/{cid}", json={"title": "Us", "version": 1}, headers=ann.headers)
    assert (r.status_code, r.json()["code"]) == (400, "direct_conversation")
    r = await client.post(f"{URL}/{cid}/members", json={"user_ids": [cyd.id]}, headers=ann.headers)
    assert (r.status_code, r.json()["code"]) == (400, "direct_conversation")
    r = await client.delete(f"{URL}/{cid}/members/{ann.id}", headers=ann.headers)
    assert (r.status_code, r.json()["code"]) == (400, "direct_conversation")
    r = await client.patch(f"{URL}/{cid}", json={"e2ee": True, "version": 1}, headers=bob.headers)
    assert (r.status_code, r.json()["e2ee"]) == (200, True)
    r = await client.patch(f"{URL}/{cid}", json={"e2ee": False, "version": 2}, headers=bob.headers)
    assert (r.status_code, r.json()["code"]) == (400, "e2ee_irreversible")


async def test_adding_members(client, four):
    ann, bob, cyd, dee = four
    cid = (await group(client, ann, bob))["id"]
    r = await client.post(f"{URL}/{cid}/members", json={"user_ids": [cyd.id]}, headers=bob.headers)
    assert (r.status_code, r.json()["code"]) == (403, "not_admin")
    r = await client.post(f"{URL}/{cid}/members", json={"user_ids": [cyd.id, "ghost"]}, headers=ann.headers)
    assert (r.status_code, r.json()["code"], r.json()["user_ids"]) == (404, "user_not_found", ["ghost"])
    for body in ({"user_ids": []}, {"user_ids": "x"}, {"user_ids": [1]}, {}):
        assert (await client.post(f"{URL}/{cid}/members", json=body, headers=ann.headers)).status_code == 400
    r = await client.post(f"{URL}/{cid}/members", json={"user_ids": [cyd.id, bob.id, cyd.id]}, headers=ann.headers)
    assert r.status_code == 200
    assert [(m["user_id"], m["role"], m["user"]["username"]) for m in r.json()["items"]] == [(cyd.id, "member", "cyd")]
    again = await client.post(f"{URL}/{cid}/members", json={"user_ids": [cyd.id]}, headers=ann.headers)
    assert again.json()["items"] == []
    # An admin may add too.
    promoted = await client.patch(f"{URL}/{cid}/members/{bob.id}", json={"role": "admin"}, headers=ann.headers)
    assert promoted.json()["role"] == "admin"
    r = await client.post(f"{URL}/{cid}/members", json={"user_ids": [dee.id]}, headers=bob.headers)
    assert [m["user_id"] for m in r.json()["items"]] == [dee.id]


async def test_removing_leaving_and_owner_transfer(client, four):
    ann, bob, cyd, dee = four
    cid = (await group(client, ann, bob, cyd, dee))["id"]
    r = await client.delete(f"{URL}/{cid}/members/{cyd.id}", headers=bob.headers)
    assert (r.status_code, r.json()["code"]) == (403, "not_admin")
    await client.patch(f"{URL}/{cid}/members/{cyd.id}", json={"role": "admin"}, headers=ann.headers)
    r = await client.delete(f"{URL}/{cid}/members/{ann.id}", headers=cyd.headers)
    assert (r.status_code, r.json()["code"]) == (403, "not_allowed")  # an admin cannot remove the owner
    assert (await client.delete(f"{URL}/{cid}/members/{dee.id}", headers=cyd.headers)).status_code == 204
    assert (await client.get(f"{URL}/{cid}", headers=dee.headers)).status_code == 404
    r = await client.delete(f"{URL}/{cid}/members/{dee.id}", headers=ann.headers)
    assert (r.status_code, r.json()["code"]) == (404, "not_member")
    # The owner leaves: the admin (cyd) inherits, though bob is just as old.
    assert (await client.delete(f"{URL}/{cid}/members/{ann.id}", headers=ann.headers)).status_code == 204
    assert await roles(client, cid, bob) == {bob.id: "member", cyd.id: "owner"}
    assert (await client.get(f"{URL}/{cid}", headers=ann.headers)).status_code == 404
    r = await client.patch(f"{URL}/{cid}/members/{bob.id}", json={"role": "owner"}, headers=cyd.headers)
    assert r.json()["role"] == "owner"
    assert await roles(client, cid, bob) == {bob.id: "owner", cyd.id: "admin"}
    bad = await client.patch(f"{URL}/{cid}/members/{cyd.id}", json={"role": "king"}, headers=bob.headers)
    assert bad.status_code == 400


async def test_read_marker(client, four):
    ann, bob, cyd, _ = four
    cid = (await client.post(URL, json={"kind": "direct", "user_id": bob.id}, headers=ann.headers)).json()["id"]
    await send(client, cid, bob, 4)
    r = await client.post(f"{URL}/{cid}/read", json={"seq": 2}, headers=ann.headers)
    assert (r.status_code, r.json()["last_read_seq"], r.json()["user_id"]) == (200, 2, ann.id)
    back = await client.post(f"{URL}/{cid}/read", json={"seq": 1}, headers=ann.headers)
    assert back.json()["last_read_seq"] == 2
    far = await client.post(f"{URL}/{cid}/read", json={"seq": 999}, headers=ann.headers)
    assert far.json()["last_read_seq"] == 4
    # (Litestar converts leniently: "3" would pass as 3; non-numbers do not.)
    for body in ({"seq": -1}, {"seq": "three"}, {}, {"seq": 1.5}, {"seq": 2**64}, {"seq": None}):
        assert (await client.post(f"{URL}/{cid}/read", json=body, headers=ann.headers)).status_code == 400
    assert (await client.post(f"{URL}/{cid}/read", json={"seq": 1}, headers=cyd.headers)).status_code == 404


async def test_list_newest_activity_first_with_unread(client, four):
    ann, bob, cyd, _ = four
    old = await group(client, ann, bob, title="old")
    await asyncio.sleep(0.003)
    direct = (await client.post(URL, json={"kind": "direct", "user_id": cyd.id}, headers=ann.headers)).json()
    await asyncio.sleep(0.003)
    new = await group(client, bob, ann, title="new")
    listed = (await client.get(URL, headers=ann.headers)).json()["items"]
    assert [c["id"] for c in listed] == [new["id"], direct["id"], old["id"]]
    await asyncio.sleep(0.003)
    await send(client, old["id"], bob, 3)
    listed = (await client.get(URL, headers=ann.headers)).json()["items"]
    assert [c["id"] for c in listed] == [old["id"], new["id"], direct["id"]]
    top = listed[0]
    assert (top["unread"], top["last_message"]["seq"], top["last_message"]["body"]) == (3, 3, "hello")
    assert {m["user"]["username"] for m in top["members"]} == {"ann", "bob"}
    await client.post(f"{URL}/{old['id']}/read", json={"seq": 2}, headers=ann.headers)
    listed = (await client.get(URL, headers=ann.headers)).json()["items"]
    assert listed[0]["unread"] == 1
    bobs = (await client.get(URL, headers=bob.headers)).json()["items"]
    assert [(c["id"], c["unread"]) for c in bobs] == [(old["id"], 0), (new["id"], 0)]
    cyds = (await client.get(URL, headers=cyd.headers)).json()["items"]
    assert [c["id"] for c in cyds] == [direct["id"]]
