"""Contacts over HTTP: requests, acceptance, blocks that the blocked user
cannot see, aliases, and the unhappy paths."""

from __future__ import annotations

import pytest

from tests.conftest import register

URL = "/api/v1/contacts"


@pytest.fixture
async def trio(client):
    return [await register(client, name) for name in ("ann", "bob", "cyd")]


async def contacts_of(client, who) -> dict[str, str]:
    r = await client.get(URL, headers=who.headers)
    assert r.status_code == 200
    return {c["user_id"]: c["status"] for c in r.json()["items"]}


async def test_request_accept_and_list(client, trio):
    ann, bob, _ = trio
    r = await client.post(URL, json={"user_id": bob.id}, headers=ann.headers)
    assert r.status_code == 201
    body = r.json()
    assert (body["owner_id"], body["user_id"], body["status"]) == (ann.id, bob.id, "pending_out")
    assert body["user"]["username"] == "bob"
    # Public fields only: no role, preferences, last_seen_at of the other user.
    assert not {"role", "preferences", "last_seen_at", "disabled"} & set(body["user"])
    again = await client.post(URL, json={"user_id": bob.id}, headers=ann.headers)
    assert (again.status_code, again.json()["status"]) == (200, "pending_out")
    assert await contacts_of(client, bob) == {ann.id: "pending_in"}

    own = await client.post(f"{URL}/{bob.id}/accept", headers=ann.headers)
    assert (own.status_code, own.json()["code"]) == (409, "not_pending_in")
    r = await client.post(f"{URL}/{ann.id}/accept", headers=bob.headers)
    assert (r.status_code, r.json()["status"], r.json()["user"]["id"]) == (200, "accepted", ann.id)
    assert await contacts_of(client, ann) == {bob.id: "accepted"}
    r = await client.post(URL, json={"user_id": bob.id}, headers=ann.headers)
    assert (r.status_code, r.json()["status"]) == (200, "accepted")


async def test_asking_back_accepts(client, trio):
    ann, bob, _ = trio
    await client.post(URL, json={"user_id": bob.id}, headers=ann.headers)
    r = await client.post(URL, json={"user_id": ann.id}, headers=bob.headers)
    assert (r.status_code, r.json()["status"]) == (200, "accepted")
    assert await contacts_of(client, ann) == {bob.id: "accepted"}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{", 400, "invalid"),
        (b"[]", 400, "invalid"),
        (b'{"user_id": 5}', 400, "invalid"),
        (b'{"user_id": ""}', 400, "invalid"),
        (b'{"user_id": "x", "extra": 1}', 400, "invalid"),
        (b"{}", 400, "invalid"),
        (b'{"user_id": "nobody"}', 404, "user_not_found"),
    ],
)
async def test_request_bad_input(client, trio, body, status, code):
    ann = trio[0]
    r = await client.post(URL, content=body, headers={**ann.headers, "Content-Type": "application/json"})
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json" and r.json()["code"] == code


async def test_requesting_yourself_and_unknowns(client, trio):
    ann = trio[0]
    r = await client.post(URL, json={"user_id": ann.id}, headers=ann.headers)
    assert (r.status_code, r.json()["code"]) == (400, "self_contact")
    for path in (f"{URL}/nobody/accept", f"{URL}/nobody/block"):
        assert (await client.post(path, headers=ann.headers)).status_code == 404
    assert (await client.delete(f"{URL}/nobody", headers=ann.headers)).status_code == 404
    assert (await client.patch(f"{URL}/nobody", json={"alias": "x"}, headers=ann.headers)).status_code == 404
    assert (await client.get(URL)).status_code == 401


async def test_disabled_users_cannot_be_requested(client, trio):
    ann, bob, _ = trio  # ann registered first: the admin
    assert (await client.post(f"/api/v1/admin/users/{bob.id}/disable", headers=ann.headers)).status_code == 200
    r = await client.post(URL, json={"user_id": bob.id}, headers=ann.headers)
    assert (r.status_code, r.json()["code"]) == (404, "user_not_found")


async def test_block_is_invisible_to_the_blocked_user_but_stops_them(client, trio):
    ann, bob, _ = trio
    await client.post(URL, json={"user_id": bob.id}, headers=ann.headers)
    await client.post(f"{URL}/{ann.id}/accept", headers=bob.headers)
    r = await client.post(f"{URL}/{ann.id}/block", headers=bob.headers)
    assert (r.status_code, r.json()["status"]) == (200, "blocked")
    assert await contacts_of(client, bob) == {ann.id: "blocked"}
    # ann sees the relation gone, as after a removal: nothing says "blocked".
    assert await contacts_of(client, ann) == {}
    # (tests/contract/test_contacts.py checks her events say no more than that.)

    r = await client.post(URL, json={"user_id": bob.id}, headers=ann.headers)
    assert (r.status_code, r.json()["code"]) == (403, "contact_refused")
    assert "block" not in r.json()["detail"].lower()
    direct = await client.post("/api/v1/conversations", json={"kind": "direct", "user_id": bob.id},
                               headers=ann.headers)
    assert (direct.status_code, direct.json()["code"]) == (403, "contact_refused")
    own = await client.post("/api/v1/conversations", json={"kind": "direct", "user_id": ann.id}, headers=bob.headers)
    assert (own.status_code, own.json()["code"]) == (403, "contact_blocked")
    r = await client.post(URL, json={"user_id": ann.id}, headers=bob.headers)
    assert (r.status_code, r.json()["code"]) == (409, "contact_blocked")

    # Unblocking ends the block only; ann may ask again.
    assert (await client.delete(f"{URL}/{ann.id}", headers=bob.headers)).status_code == 204
    assert await contacts_of(client, bob) == {}
    r = await client.post(URL, json={"user_id": bob.id}, headers=ann.headers)
    assert (r.status_code, r.json()["status"]) == (201, "pending_out")


async def test_block_without_relation_and_twice(client, trio):
    ann, _, cy = trio
    for _ in range(2):
        r = await client.post(f"{URL}/{ann.id}/block", headers=cy.headers)
        assert (r.status_code, r.json()["status"]) == (200, "blocked")
    assert (await client.post(f"{URL}/{cy.id}/block", headers=cy.headers)).status_code == 400
    assert await contacts_of(client, ann) == {}


async def test_remove_cancel_decline(client, trio):
    ann, bob, cy = trio
    await client.post(URL, json={"user_id": bob.id}, headers=ann.headers)
    assert (await client.delete(f"{URL}/{bob.id}", headers=ann.headers)).status_code == 204  # cancel
    assert await contacts_of(client, bob) == {}
    await client.post(URL, json={"user_id": cy.id}, headers=ann.headers)
    assert (await client.delete(f"{URL}/{ann.id}", headers=cy.headers)).status_code == 204  # decline
    assert await contacts_of(client, ann) == {}
    assert (await client.delete(f"{URL}/{ann.id}", headers=cy.headers)).status_code == 404


async def test_alias_and_note(client, trio):
    ann, bob, _ = trio
    await client.post(URL, json={"user_id": bob.id}, headers=ann.headers)
    patch = {"alias": " Bobby\u202e ", "note": "line 1\nline 2"}
    r = await client.patch(f"{URL}/{bob.id}", json=patch, headers=ann.headers)
    assert r.status_code == 200
    assert (r.json()["alias"], r.json()["note"]) == ("Bobby", "line 1\nline 2")
    r = await client.patch(f"{URL}/{bob.id}", json={"note": "only the note"}, headers=ann.headers)
    assert (r.json()["alias"], r.json()["note"]) == ("Bobby", "only the note")
    too_long = await client.patch(f"{URL}/{bob.id}", json={"alias": "b" * 65}, headers=ann.headers)
    assert (too_long.status_code, too_long.json()["code"]) == (400, "invalid_alias")
    wrong = await client.patch(f"{URL}/{bob.id}", json={"alias": 3}, headers=ann.headers)
    assert wrong.status_code == 400
    theirs = await client.get(URL, headers=bob.headers)
    assert theirs.json()["items"][0]["alias"] == ""
