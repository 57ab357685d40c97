"""ASVS 4.3.1: with auth.admin_second_factor = "required" an admin without
two-step sign-in gets 403 second_factor_required_for_admin (saying how to
turn it on) from every admin route, and nothing changes; once enrolled they
work. Members keep their admin_only answer; "optional" asks nothing."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.pepper_file import SETTING as PEPPER_SETTING
from tests.api.account_helpers import sql_value
from tests.api.second_factor_helpers import enrol_now
from tests.api.test_admin import ADMIN_CALLS
from tests.conftest import register

CALLS = [*ADMIN_CALLS, ("get", "/api/v1/admin/features", None),
         ("put", "/api/v1/admin/features/search", {"state": "off"})]


@pytest.fixture
def config(config_with):
    return config_with(auth={"admin_second_factor": "required"})


async def call(client: AsyncTestClient, method: str, path: str, body, who, target: str):
    kw = {"headers": who.headers}
    if body is not None:
        kw["json"] = body
    return await getattr(client, method)(path.format(id=target), **kw)


@pytest.mark.parametrize("method, path, body", CALLS)
async def test_an_admin_without_a_second_factor_is_refused_with_how_to_enrol(client, method, path, body):
    root, bob = await register(client, "root"), await register(client, "bob")
    r = await call(client, method, path, body, root, bob.id)
    assert r.status_code == 403, r.text
    problem = r.json()
    assert problem["code"] == "second_factor_required_for_admin"
    assert "/api/v1/me/second-factor/totp" in problem["detail"] and "Settings" in problem["detail"]
    # Nothing changed (the one setting there is the pepper's id, written at start).
    assert await sql_value(client, "SELECT COUNT(*) FROM server_settings WHERE name <> $1", PEPPER_SETTING) == 0
    assert await sql_value(client, "SELECT role FROM users WHERE id = $1", bob.id) == "member"
    assert await sql_value(client, "SELECT disabled FROM users WHERE id = $1", bob.id) in (0, False)
    # A member still hears admin_only, not a hint about admins' factors.
    r = await call(client, method, path, body, bob, root.id)
    assert r.status_code == 403 and r.json()["code"] == "admin_only"


async def test_once_enrolled_the_admin_routes_answer(client):
    root, bob = await register(client, "root"), await register(client, "bob")
    status = (await client.get("/api/v1/me/second-factor", headers=root.headers)).json()
    assert status["admin_required"] is True
    await enrol_now(client, root)
    assert (await client.get("/api/v1/admin/users", headers=root.headers)).status_code == 200
    r = await client.put(f"/api/v1/admin/users/{bob.id}/role", headers=root.headers, json={"role": "admin"})
    assert r.status_code == 200
    # Bob, an admin now, is told so in his status, and refused until he enrols.
    bobs = (await client.get("/api/v1/me/second-factor", headers=bob.headers)).json()
    assert bobs["admin_required"] is True and bobs["totp"] is False
    r = await client.get("/api/v1/admin/users", headers=bob.headers)
    assert r.status_code == 403 and r.json()["code"] == "second_factor_required_for_admin"


async def test_optional_mode_asks_nothing(client_with_optional):
    async with client_with_optional as c:
        root = await register(c, "root")
        assert (await c.get("/api/v1/admin/users", headers=root.headers)).status_code == 200
        assert (await c.get("/api/v1/me/second-factor", headers=root.headers)).json()["admin_required"] is False


@pytest.fixture
def client_with_optional(config_with):
    return AsyncTestClient(create_app(config_with(auth={"admin_second_factor": "optional"})))


async def test_the_rest_of_the_api_works_for_an_admin_without_a_factor(client):
    root = await register(client, "root")
    assert (await client.get("/api/v1/me", headers=root.headers)).status_code == 200
    assert (await client.get("/api/v1/conversations", headers=root.headers)).status_code == 200
