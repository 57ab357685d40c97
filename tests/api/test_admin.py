"""/api/v1/admin: users, roles, invites, stats; admins only."""

from __future__ import annotations

import pytest

from tests.api.account_helpers import PASSWORD, login
from tests.api.second_factor_helpers import enrol_now
from tests.conftest import register

ADMIN_CALLS = [
    ("get", "/api/v1/admin/users", None),
    ("post", "/api/v1/admin/users/{id}/disable", None),
    ("post", "/api/v1/admin/users/{id}/enable", None),
    ("put", "/api/v1/admin/users/{id}/role", {"role": "admin"}),
    ("get", "/api/v1/admin/invites", None),
    ("post", "/api/v1/admin/invites", {}),
    ("delete", "/api/v1/admin/invites/someid", None),
    ("get", "/api/v1/admin/stats", None),
    ("put", "/api/v1/admin/registration", {"mode": "closed"}),
    ("delete", "/api/v1/admin/registration", None),
]


@pytest.fixture(params=["optional", "required"])
def config(request, config_with):
    """Every test here in both modes of auth.admin_second_factor (ASVS 4.3.1):
    under "required" the team has two-step sign-in on, as it must."""
    return config_with(auth={"admin_second_factor": request.param})


@pytest.fixture
async def team(client, config):
    admin = await register(client, "admin")
    bob = await register(client, "bob")
    if config.auth.admin_second_factor == "required":
        await enrol_now(client, admin)
    return admin, bob


@pytest.mark.parametrize("method, path, body", ADMIN_CALLS)
async def test_non_admins_get_403(client, team, method, path, body):
    admin, bob = team
    kwargs = {"headers": bob.headers} | ({"json": body} if body is not None else {})
    r = await getattr(client, method)(path.format(id=admin.id), **kwargs)
    assert r.status_code == 403 and r.json()["code"] == "admin_only"
    me = (await client.get("/api/v1/me", headers=admin.headers)).json()
    assert me["role"] == "admin" and not me["disabled"]


async def test_list_users_full_view_paged(client, team):
    admin, bob = team
    await register(client, "carol")
    r = await client.get("/api/v1/admin/users", params={"limit": 2}, headers=admin.headers)
    items = r.json()["items"]
    assert [u["username"] for u in items] == ["admin", "bob"]
    assert "role" in items[0] and "disabled" in items[0]
    assert not any("hash" in k or "password" in k for k in items[0])
    r = await client.get("/api/v1/admin/users", params={"after": "bob"}, headers=admin.headers)
    assert [u["username"] for u in r.json()["items"]] == ["carol"]
    r = await client.get("/api/v1/admin/users", params={"q": "car"}, headers=admin.headers)
    assert [u["username"] for u in r.json()["items"]] == ["carol"]


async def test_set_role_by_id_and_username_and_last_admin_kept(client, team, config):
    admin, bob = team
    r = await client.put(f"/api/v1/admin/users/{bob.id}/role", json={"role": "guest"}, headers=admin.headers)
    assert r.status_code == 200 and r.json()["role"] == "guest"
    r = await client.put("/api/v1/admin/users/BOB/role", json={"role": "admin"}, headers=admin.headers)
    assert r.status_code == 200 and r.json()["role"] == "admin"
    if config.auth.admin_second_factor == "required":
        # A new admin is refused until they turn two-step sign-in on.
        r = await client.get("/api/v1/admin/stats", headers=bob.headers)
        assert r.status_code == 403 and r.json()["code"] == "second_factor_required_for_admin"
        await enrol_now(client, bob)
    r = await client.put(f"/api/v1/admin/users/{bob.id}/role", json={"role": "owner"}, headers=admin.headers)
    assert r.status_code == 400
    r = await client.put("/api/v1/admin/users/nobody/role", json={"role": "admin"}, headers=admin.headers)
    assert r.status_code == 404
    # Bob demotes the first admin, then cannot demote himself: someone must stay admin.
    assert (await client.put(f"/api/v1/admin/users/{admin.id}/role", json={"role": "member"},
                             headers=bob.headers)).status_code == 200
    r = await client.put(f"/api/v1/admin/users/{bob.id}/role", json={"role": "member"}, headers=bob.headers)
    assert r.status_code == 409 and r.json()["code"] == "last_admin"
    assert (await client.get("/api/v1/admin/stats", headers=admin.headers)).status_code == 403


async def test_disable_and_enable(client, team):
    admin, bob = team
    r = await client.post(f"/api/v1/admin/users/{bob.id}/disable", headers=admin.headers)
    assert r.status_code == 200 and r.json()["disabled"] is True
    assert (await client.get("/api/v1/me", headers=bob.headers)).status_code == 403
    assert (await login(client, "bob")).status_code == 403
    r = await client.post("/api/v1/admin/users/bob/enable", headers=admin.headers)
    assert r.status_code == 200 and r.json()["disabled"] is False
    assert (await client.get("/api/v1/me", headers=bob.headers)).status_code == 200
    r = await client.post(f"/api/v1/admin/users/{admin.id}/disable", headers=admin.headers)
    assert r.status_code == 409 and r.json()["code"] == "self_disable"
    assert (await client.post("/api/v1/admin/users/nobody/disable", headers=admin.headers)).status_code == 404


async def test_invites_create_list_use_revoke(client, team):
    admin, _ = team
    r = await client.post("/api/v1/admin/invites", json={"max_uses": 3, "expires_hours": 2}, headers=admin.headers)
    assert r.status_code == 201
    invite = r.json()
    assert invite["max_uses"] == 3 and invite["uses"] == 0 and invite["code"] and invite["created_by"] == admin.id
    listed = (await client.get("/api/v1/admin/invites", headers=admin.headers)).json()["items"]
    assert [i["id"] for i in listed] == [invite["id"]] and "code" not in listed[0]
    assert (await client.delete(f"/api/v1/admin/invites/{invite['id']}", headers=admin.headers)).status_code == 204
    assert (await client.delete(f"/api/v1/admin/invites/{invite['id']}", headers=admin.headers)).status_code == 404
    assert (await client.get("/api/v1/admin/invites", headers=admin.headers)).json()["items"] == []


@pytest.mark.parametrize("body", [{"max_uses": 0}, {"expires_hours": 0}, {"max_uses": "x"}, {"uses": 5}])
async def test_bad_invite_bodies_are_400(client, team, body):
    admin, _ = team
    assert (await client.post("/api/v1/admin/invites", json=body, headers=admin.headers)).status_code == 400


async def test_stats_count_users_sessions_tokens_invites(client, team):
    admin, bob = team
    await client.post("/api/v1/me/tokens", json={"name": "bot"}, headers=bob.headers)
    await client.post("/api/v1/admin/invites", json={}, headers=admin.headers)
    await login(client, "bob", PASSWORD)
    r = await client.get("/api/v1/admin/stats", headers=admin.headers)
    assert r.json() == {"users": 2, "admins": 1, "disabled": 0, "sessions": 3, "tokens": 1, "invites": 1}


async def test_admin_changes_registration_mode_at_once(client, team):
    admin, bob = team
    assert (await client.get("/api/v1/auth/registration")).json() == {"mode": "open"}
    r = await client.put("/api/v1/admin/registration", json={"mode": "closed"}, headers=admin.headers)
    assert r.status_code == 200 and r.json() == {"mode": "closed"}
    assert (await client.get("/api/v1/auth/registration")).json() == {"mode": "closed"}
    r = await client.post("/api/v1/auth/register", json={"username": "carol", "password": PASSWORD})
    assert r.status_code == 403 and r.json()["code"] == "registration_closed"
    r = await client.put("/api/v1/admin/registration", json={"mode": "invite"}, headers=admin.headers)
    r = await client.post("/api/v1/auth/register", json={"username": "carol", "password": PASSWORD})
    assert r.status_code == 403 and r.json()["code"] == "invite_required"
    r = await client.put("/api/v1/admin/registration", json={"mode": "sometimes"}, headers=admin.headers)
    assert r.status_code == 400


async def test_reset_registration_goes_back_to_the_config_file(client, team):
    admin, _ = team
    await client.put("/api/v1/admin/registration", json={"mode": "closed"}, headers=admin.headers)
    r = await client.delete("/api/v1/admin/registration", headers=admin.headers)
    assert r.status_code == 200 and r.json() == {"mode": "open"}  # chatd.toml's (the default)
    assert (await client.get("/api/v1/auth/registration")).json() == {"mode": "open"}
    r = await client.post("/api/v1/auth/register", json={"username": "carol", "password": PASSWORD})
    assert r.status_code == 201
