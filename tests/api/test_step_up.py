"""Step-up (ASVS 4.3.3): high-value actions need a factor proved on this
session within 10 minutes; POST /api/v1/auth/reauth proves it again."""

from __future__ import annotations

import pytest

from tests.api.account_helpers import PASSWORD, login
from tests.api.second_factor_helpers import Clock, enrol
from tests.conftest import register

ELEVEN_MINUTES = 11 * 60


@pytest.fixture
def clk(monkeypatch):
    return Clock(monkeypatch)


async def high_value(client, admin, member) -> dict[str, object]:
    """Each high-value action once, answering its response."""
    return {
        "create token": await client.post("/api/v1/me/tokens", headers=admin.headers, json={"name": "bot"}),
        "change password": await client.put("/api/v1/me/password", headers=admin.headers,
                                             json={"current": PASSWORD, "new": "another good passphrase 9"}),
        "set role": await client.put(f"/api/v1/admin/users/{member.id}/role", headers=admin.headers,
                                     json={"role": "admin"}),
        "disable user": await client.post(f"/api/v1/admin/users/{member.id}/disable", headers=admin.headers),
        "enable user": await client.post(f"/api/v1/admin/users/{member.id}/enable", headers=admin.headers),
        "enrol": await client.post("/api/v1/me/second-factor/totp", headers=admin.headers),
    }


async def test_a_fresh_sign_in_may_do_high_value_actions(client, clk):
    admin, member = await register(client, "root"), await register(client, "bob")
    answers = await high_value(client, admin, member)
    assert {k: r.status_code for k, r in answers.items()} == {
        "create token": 201, "change password": 204, "set role": 200, "disable user": 200, "enable user": 200,
        "enrol": 201}


async def test_an_old_proof_answers_reauthentication_required_and_changes_nothing(client, clk):
    admin, member = await register(client, "root"), await register(client, "bob")
    clk.advance(ELEVEN_MINUTES)
    answers = await high_value(client, admin, member)
    for what, r in answers.items():
        assert r.status_code == 403, what
        assert r.json()["code"] == "reauthentication_required", what
    assert (await client.get("/api/v1/me/tokens", headers=admin.headers)).json()["items"] == []
    assert (await login(client, "root")).status_code == 200  # the password did not change
    users = (await client.get("/api/v1/admin/users", headers=admin.headers)).json()["items"]
    bob = next(u for u in users if u["id"] == member.id)
    assert bob["role"] == "member" and bob["disabled"] is False
    # Reading and low-value changes still work.
    assert (await client.patch("/api/v1/me", headers={**admin.headers, "If-Match": "1"},
                               json={"status_text": "busy"})).status_code == 200


async def test_reauth_with_the_password_refreshes_the_proof(client, clk):
    admin = await register(client, "root")
    clk.advance(ELEVEN_MINUTES)
    r = await client.post("/api/v1/auth/reauth", headers=admin.headers, json={"password": "wrong password 123"})
    assert r.status_code == 403 and r.json()["code"] == "wrong_password"
    assert (await client.post("/api/v1/me/tokens", headers=admin.headers, json={"name": "bot"})).status_code == 403
    r = await client.post("/api/v1/auth/reauth", headers=admin.headers, json={"password": PASSWORD})
    assert r.status_code == 204
    assert (await client.post("/api/v1/me/tokens", headers=admin.headers, json={"name": "bot"})).status_code == 201
    clk.advance(ELEVEN_MINUTES)
    assert (await client.post("/api/v1/me/tokens", headers=admin.headers, json={"name": "bot2"})).status_code == 403


async def test_reauth_needs_a_code_when_enrolled(client, clk):
    alice = await register(client, "alice")
    secret, codes = await enrol(client, alice, clk)
    clk.advance(ELEVEN_MINUTES)
    r = await client.post("/api/v1/auth/reauth", headers=alice.headers, json={"password": PASSWORD})
    assert r.status_code == 403 and r.json()["code"] == "second_factor_required"
    code = clk.next_code(secret)
    r = await client.post("/api/v1/auth/reauth", headers=alice.headers, json={"password": PASSWORD, "code": code})
    assert r.status_code == 204
    assert (await client.post("/api/v1/me/tokens", headers=alice.headers, json={"name": "bot"})).status_code == 201
    # The same code again is a replay.
    r = await client.post("/api/v1/auth/reauth", headers=alice.headers, json={"password": PASSWORD, "code": code})
    assert r.status_code == 403 and r.json()["code"] == "invalid_code"
    r = await client.post("/api/v1/auth/reauth", headers=alice.headers, json={"password": PASSWORD,
                                                                              "code": codes[0]})
    assert r.status_code == 204


async def test_the_proof_belongs_to_one_session(client, clk):
    await register(client, "alice")
    first = (await login(client, "alice")).json()["token"]
    clk.advance(ELEVEN_MINUTES)
    second = (await login(client, "alice")).json()["token"]
    client.cookies.clear()
    tokens = "/api/v1/me/tokens"
    assert (await client.post(tokens, headers={"Authorization": f"Bearer {second}"},
                              json={"name": "a"})).status_code == 201
    r = await client.post(tokens, headers={"Authorization": f"Bearer {first}"}, json={"name": "b"})
    assert r.status_code == 403 and r.json()["code"] == "reauthentication_required"


async def test_an_api_token_works_without_a_second_factor_but_steps_up_like_a_session(client, clk):
    alice = await register(client, "alice")
    token = (await client.post("/api/v1/me/tokens", headers=alice.headers, json={"name": "bot"})).json()["token"]
    secret, _ = await enrol(client, alice, clk)
    bot = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me", headers=bot)).status_code == 200  # unaffected by TOTP
    r = await client.post("/api/v1/me/tokens", headers=bot, json={"name": "child"})
    assert r.status_code == 403 and r.json()["code"] == "reauthentication_required"
    r = await client.post("/api/v1/auth/reauth", headers=bot, json={"password": PASSWORD,
                                                                    "code": clk.next_code(secret)})
    assert r.status_code == 204
    assert (await client.post("/api/v1/me/tokens", headers=bot, json={"name": "child"})).status_code == 201


async def test_reauth_on_a_cookie_session_needs_the_csrf_header(client, clk):
    await register(client, "alice")
    csrf = (await login(client, "alice")).cookies["csrf_token"]
    r = await client.post("/api/v1/auth/reauth", json={"password": PASSWORD})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = await client.post("/api/v1/auth/reauth", json={"password": PASSWORD}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
