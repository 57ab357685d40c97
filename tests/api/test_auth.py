"""Register, login, logout, the auth middleware, CSRF and login rate limits."""

from __future__ import annotations

import time

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from tests.api.account_helpers import PASSWORD, in_app, login, services, sql, sql_value
from tests.conftest import register


@pytest.fixture
def client_with(config_with):
    """A client on an app whose config has the given sections replaced."""
    def build(**sections) -> AsyncTestClient:
        return AsyncTestClient(create_app(config_with(**sections)))
    return build


# -- registration ----------------------------------------------------------

async def test_register_answers_user_and_a_working_token(client):
    r = await client.post("/api/v1/auth/register",
                          json={"username": "Alice", "password": PASSWORD, "display_name": " Alice A. "})
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"user", "token"}
    assert body["user"]["username"] == "alice" and body["user"]["display_name"] == "Alice A."
    assert "password" not in r.text and "hash" not in r.text
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["id"] == body["user"]["id"]


async def test_first_user_is_admin_second_is_member(client):
    first = await register(client, "first")
    second = await register(client, "second")
    assert first.user["role"] == "admin" and second.user["role"] == "member"


async def test_duplicate_username_is_409_case_insensitively(client):
    await register(client, "alice")
    r = await client.post("/api/v1/auth/register", json={"username": "ALICE", "password": PASSWORD})
    assert r.status_code == 409 and r.json()["code"] == "username_taken"


@pytest.mark.parametrize("name", ["ab", "a" * 33, "with space", "émile", "semi;colon", "", "a/b"])
async def test_bad_usernames_are_400(client, name):
    r = await client.post("/api/v1/auth/register", json={"username": name, "password": PASSWORD})
    assert r.status_code == 400 and r.json()["code"] == "invalid_username"


@pytest.mark.parametrize("password", ["short", "x" * 11, "abc" + " " * 20 + "defgh", "x" * 1025])
async def test_bad_password_lengths_are_400(client, password):
    r = await client.post("/api/v1/auth/register", json={"username": "alice", "password": password})
    assert r.status_code == 400 and r.json()["code"] == "invalid_password"


async def test_password_limits_are_inclusive(client):
    await register(client, "twelve", "xK9#mQ2v-Lp4")
    await register(client, "long", "xK9#mQ2v-Lp4" + "y" * 1012)


@pytest.mark.parametrize("body", [
    {"username": "alice"},
    {"username": "alice", "password": PASSWORD, "role": "admin"},
    {"username": 5, "password": PASSWORD},
    {"username": "alice", "password": PASSWORD, "display_name": "x" * 65},
    {"username": "alice", "password": PASSWORD, "display_name": "\u0007"},
])
async def test_bad_register_bodies_are_400(client, body):
    r = await client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"


async def test_register_bad_json_is_400(client):
    r = await client.post("/api/v1/auth/register", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 400


async def test_closed_registration_is_403(client_with):
    async with client_with(auth={"registration": "closed"}) as c:
        r = await c.post("/api/v1/auth/register", json={"username": "alice", "password": PASSWORD})
        assert r.status_code == 403 and r.json()["code"] == "registration_closed"


async def test_invite_only_registration(client_with):
    async with client_with(auth={"registration": "invite"}) as c:
        accounts = services(c).accounts
        admin = await in_app(c, accounts.create_user, "boss", PASSWORD)
        assert admin.role == "admin"

        async def invite(uses):
            return (await accounts.create_invite(uses, 1, actor=admin))[1]

        code = await in_app(c, invite, 2)

        async def attempt(name, invite=None):
            body = {"username": name, "password": PASSWORD} | ({"invite": invite} if invite is not None else {})
            return await c.post("/api/v1/auth/register", json=body)

        r = await attempt("nobody")
        assert r.status_code == 403 and r.json()["code"] == "invite_required"
        r = await attempt("wrong", "not-a-code")
        assert r.status_code == 403 and r.json()["code"] == "invite_invalid"
        assert (await attempt("one", code)).status_code == 201
        assert (await attempt("one", code)).status_code == 409  # taken name: the use is not burnt
        r = await attempt("two", code)
        assert r.status_code == 201 and r.json()["user"]["role"] == "member"
        r = await attempt("three", code)
        assert r.status_code == 403 and r.json()["code"] == "invite_invalid"

        old = await in_app(c, invite, 5)
        await sql(c, "UPDATE invites SET expires_at = 0")
        assert (await attempt("late", old)).status_code == 403


# -- login / logout --------------------------------------------------------

async def test_login_answers_token_and_sets_cookies(client):
    alice = await register(client, "alice")
    r = await login(client, "ALICE")
    assert r.status_code == 200
    assert r.json()["user"]["id"] == alice.id and r.json()["token"] != alice.token
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("chatd_session="))
    csrf = next(c for c in cookies if c.startswith("csrf_token="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Secure" not in session
    assert "HttpOnly" not in csrf
    me = await client.get("/api/v1/me")  # the cookie alone authenticates a read
    assert me.status_code == 200 and me.json()["id"] == alice.id


async def test_secure_cookies_when_configured(client_with):
    async with client_with(auth={"secure_cookies": True}) as c:
        await register(c, "alice")
        r = await login(c, "alice")
        assert all("Secure" in v for v in r.headers.get_list("set-cookie"))


async def test_wrong_password_and_unknown_user_answer_alike(client):
    await register(client, "alice")
    wrong = await login(client, "alice", "not the password")
    unknown = await login(client, "nobody", "not the password")
    malformed = await login(client, "x", "not the password")
    assert wrong.status_code == unknown.status_code == malformed.status_code == 401
    assert wrong.json() == unknown.json() == malformed.json()
    assert wrong.json()["code"] == "invalid_credentials"
    assert "set-cookie" not in wrong.headers


def at(address: str) -> dict:
    """Headers that make the request come from `address` (testclient is a trusted proxy)."""
    return {"headers": {"X-Forwarded-For": address}}


LIMITED = {"server": {"trusted_proxies": ["testclient"]},
           "auth": {"login_attempts_per_minute": 3, "login_attempts_per_address_per_minute": 3,
                    "login_attempts_per_account_per_minute": 6}}


async def test_failed_logins_back_off_per_account_and_address_not_the_owner(client_with):
    async with client_with(**LIMITED) as c:
        await register(c, "alice")
        for _ in range(3):
            assert (await login(c, "alice", "wrong password", **at("10.6.6.6"))).status_code == 401
        r = await login(c, "alice", **at("10.6.6.6"))  # even the right password waits now
        assert r.status_code == 429
        assert r.json()["code"] == "login_rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 60
        # The owner, elsewhere, is not locked out.
        assert (await login(c, "alice", **at("10.0.0.1"))).status_code == 200


async def test_failed_logins_are_rate_limited_per_address(client_with):
    async with client_with(**LIMITED) as c:
        await register(c, "alice")
        for name in ("u1", "u2", "u3"):
            assert (await login(c, name, "wrong password", **at("10.6.6.6"))).status_code == 401
        # Same client address, another (real) account: still limited.
        assert (await login(c, "alice", **at("10.6.6.6"))).status_code == 429


async def test_an_attack_on_one_account_from_many_addresses_spares_known_devices(client_with):
    async with client_with(**LIMITED) as c:
        await register(c, "alice")
        assert (await login(c, "alice", **at("10.0.0.1"))).status_code == 200  # the owner's home
        cookie = (await login(c, "alice", **at("10.0.0.2"))).cookies["chatd_session"]
        c.cookies.clear()  # the attacker's requests carry no session
        for i in range(6):
            assert (await login(c, "alice", "wrong password", **at(f"10.9.0.{i}"))).status_code == 401
        assert (await login(c, "alice", **at("10.9.9.9"))).status_code == 429  # unknown device
        assert (await login(c, "alice", **at("10.0.0.1"))).status_code == 200  # known address
        c.cookies.set("chatd_session", cookie)  # a browser that holds a session of alice
        assert (await login(c, "alice", **at("10.7.7.7"))).status_code == 200


async def test_logout_ends_the_token(client):
    alice = await register(client, "alice")
    r = await client.post("/api/v1/auth/logout", headers=alice.headers)
    assert r.status_code == 204
    r = await client.get("/api/v1/me", headers=alice.headers)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"


async def test_logout_with_cookie_clears_cookies(client):
    await register(client, "alice")
    r = await login(client, "alice")
    csrf = r.cookies["csrf_token"]
    r = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert any(v.startswith("chatd_session=") and "Max-Age=0" in v for v in r.headers.get_list("set-cookie"))
    client.cookies.clear()
    assert (await client.get("/api/v1/me")).status_code == 401


# -- the middleware --------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer not-a-real-token"},
    {"Authorization": "Basic YWxpY2U6cHc="},
    {"Authorization": "Bearer " + "x" * 5000},
])
async def test_missing_or_unknown_credentials_are_401(client, headers):
    r = await client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"


async def test_expired_session_is_401(client):
    alice = await register(client, "alice")
    await sql(client, "UPDATE sessions SET expires_at = 1")
    r = await client.get("/api/v1/me", headers=alice.headers)
    assert r.status_code == 401 and r.json()["code"] == "token_expired"


async def test_public_paths_need_no_credentials(client):
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/schema/openapi.json")).status_code == 200


async def test_last_used_is_written_at_most_once_a_minute(client):
    alice = await register(client, "alice")

    async def last_used():
        return await sql_value(client, "SELECT last_used_at FROM sessions")

    created = await last_used()
    await client.get("/api/v1/me", headers=alice.headers)
    assert await last_used() == created  # fresh: no write
    await sql(client, "UPDATE sessions SET last_used_at = last_used_at - 61000")
    await client.get("/api/v1/me", headers=alice.headers)
    touched = await last_used()
    assert touched >= created
    r = await client.get("/api/v1/me", headers=alice.headers)
    assert r.json()["last_seen_at"] is not None
    assert await last_used() == touched


# -- CSRF ------------------------------------------------------------------

async def test_cookie_requests_that_change_state_need_the_csrf_header(client):
    await register(client, "alice")
    r = await login(client, "alice")
    csrf = r.cookies["csrf_token"]
    version = r.json()["user"]["version"]
    body = {"version": version, "bio": "hi"}
    r = await client.patch("/api/v1/me", json=body)
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = await client.patch("/api/v1/me", json=body, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403
    r = await client.patch("/api/v1/me", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["bio"] == "hi"


async def test_bearer_requests_need_no_csrf_header(client):
    alice = await register(client, "alice")
    r = await client.post("/api/v1/me/tokens", json={"name": "bot"}, headers=alice.headers)
    assert r.status_code == 201


async def test_another_sessions_csrf_token_does_not_pass(client):
    await register(client, "alice")
    await register(client, "bob")
    bob_csrf = (await login(client, "bob")).cookies["csrf_token"]
    client.cookies.clear()
    await login(client, "alice")
    r = await client.post("/api/v1/me/tokens", json={"name": "x"}, headers={"X-CSRF-Token": bob_csrf})
    assert r.status_code == 403


# -- disabled users ----------------------------------------------------------

async def test_disabled_user_is_refused_everywhere_until_enabled(client):
    admin = await register(client, "admin")
    bob = await register(client, "bob")
    token = (await client.post("/api/v1/me/tokens", json={"name": "bot"}, headers=bob.headers)).json()["token"]
    assert (await client.post(f"/api/v1/admin/users/{bob.id}/disable", headers=admin.headers)).status_code == 200
    for headers in (bob.headers, {"Authorization": f"Bearer {token}"}):
        r = await client.get("/api/v1/me", headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "account_disabled"
        assert (await client.get("/api/v1/users", headers=headers)).status_code == 403
    r = await login(client, "bob")
    assert r.status_code == 403 and r.json()["code"] == "account_disabled"
    assert "set-cookie" not in r.headers
    assert (await client.post(f"/api/v1/admin/users/{bob.id}/enable", headers=admin.headers)).status_code == 200
    assert (await client.get("/api/v1/me", headers=bob.headers)).status_code == 200


async def test_unknown_user_and_wrong_password_take_about_as_long(client, monkeypatch):
    """With production argon2 parameters: an unknown name is verified against
    a dummy hash made with the same parameters, so timing tells nothing."""
    from statistics import median

    from argon2 import PasswordHasher

    from chatd.services import passwords

    await register(client, "alice")
    monkeypatch.setattr(passwords, "hasher", lambda: PasswordHasher())
    passwords._dummy_hash.cache_clear()
    await sql(client, "UPDATE users SET password_hash = $1", passwords.hasher().hash(PASSWORD))
    # CPU time of this process (the app runs in it, argon2 in its threads):
    # wall time on a busy host measured the neighbours (ratios of 2.0 seen).
    times: dict[str, list[float]] = {"alice": [], "nobody": []}
    for _ in range(4):
        for name in times:
            began = time.process_time()
            r = await login(client, name, "wrong password")
            times[name].append(time.process_time() - began)
            assert r.status_code == 401
    passwords._dummy_hash.cache_clear()
    wrong, unknown = median(times["alice"]), median(times["nobody"])
    assert 0.5 < unknown / wrong < 2.0, times  # without the dummy hash: ~0.01
