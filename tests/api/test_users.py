"""/api/v1/users: directory search and public profiles (data minimization)."""

from __future__ import annotations

import pytest

from tests.conftest import register

PUBLIC_FIELDS = {"id", "username", "display_name", "avatar", "bio", "status_text", "keys"}
PRIVATE_FIELDS = {"preferences", "role", "last_seen_at", "disabled", "version", "created_at", "updated_at"}


async def test_public_profile_has_only_public_fields(client):
    alice = await register(client, "alice")
    bob = await register(client, "bob")
    await client.patch("/api/v1/me", headers=alice.headers,
                       json={"version": 1, "preferences": {"secret_theme": "midnight"}})
    await client.get("/api/v1/me", headers=alice.headers)
    r = await client.get(f"/api/v1/users/{alice.id}", headers=bob.headers)
    assert r.status_code == 200
    assert set(r.json()) == PUBLIC_FIELDS | {"presence"}
    assert not PRIVATE_FIELDS & set(r.json())
    assert "midnight" not in r.text
    # No shared conversation or contact: presence is not bob's to see.
    assert r.json()["presence"] is None


async def test_unknown_user_is_404(client):
    alice = await register(client, "alice")
    r = await client.get("/api/v1/users/01NOSUCHUSER0000000000000", headers=alice.headers)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


async def test_directory_needs_authentication(client):
    alice = await register(client, "alice")
    assert (await client.get("/api/v1/users")).status_code == 401
    assert (await client.get(f"/api/v1/users/{alice.id}")).status_code == 401


async def test_search_by_username_prefix_or_display_name(client):
    alice = await register(client, "alice", display_name="Alice Liddell")
    await register(client, "bob", display_name="Robert")
    await register(client, "alicia")
    r = await client.get("/api/v1/users", params={"q": "ALI"}, headers=alice.headers)
    items = r.json()["items"]
    assert [u["username"] for u in items] == ["alice", "alicia"]
    assert all(set(u) == PUBLIC_FIELDS for u in items)
    r = await client.get("/api/v1/users", params={"q": "robe"}, headers=alice.headers)
    assert [u["username"] for u in r.json()["items"]] == ["bob"]
    r = await client.get("/api/v1/users", params={"q": "%"}, headers=alice.headers)
    assert r.json()["items"] == []
    r = await client.get("/api/v1/users", params={"limit": 2}, headers=alice.headers)
    assert len(r.json()["items"]) == 2


async def test_search_hides_disabled_users(client):
    admin = await register(client, "admin")
    bob = await register(client, "bob")
    await client.post(f"/api/v1/admin/users/{bob.id}/disable", headers=admin.headers)
    r = await client.get("/api/v1/users", params={"q": "bob"}, headers=admin.headers)
    assert r.json()["items"] == []


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 51}, {"limit": "many"}, {"q": "x" * 65}])
async def test_bad_search_parameters_are_400(client, params):
    alice = await register(client, "alice")
    assert (await client.get("/api/v1/users", params=params, headers=alice.headers)).status_code == 400
