"""Two-step sign-in over HTTP: enrolment, confirmation, recovery codes,
sign-in with a code, and every way a code or challenge can be wrong."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from chatd import clock
from chatd.app import create_app

from tests.api.account_helpers import PASSWORD, in_app, services, sql, sql_value
from tests.api.second_factor_helpers import Clock, at_code_step, code_step, enrol, other_code, password_step
from tests.conftest import register


@pytest.fixture
def clk(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def client_with(config_with):
    def build(**sections) -> AsyncTestClient:
        return AsyncTestClient(create_app(config_with(**sections)))
    return build


async def test_enrolment_answers_a_secret_and_an_otpauth_uri_and_is_off_until_confirmed(client, clk):
    alice = await register(client, "alice")
    r = await client.post("/api/v1/me/second-factor/totp", headers=alice.headers)
    assert r.status_code == 201
    body = r.json()
    assert len(body["secret"]) == 32 and body["secret"].isalnum()
    assert body["otpauth_uri"].startswith("otpauth://totp/chatd%3Aalice?secret=" + body["secret"])
    assert "issuer=chatd" in body["otpauth_uri"] and "digits=6" in body["otpauth_uri"]
    status = (await client.get("/api/v1/me/second-factor", headers=alice.headers)).json()
    assert status == {"totp": False, "pending": True, "recovery_codes_left": 0, "security_keys": 0,
                      "enabled": False, "admin_required": False}
    # Not confirmed: the password alone still signs in.
    r = await password_step(client, "alice")
    assert r.status_code == 200 and r.json()["token"]


async def test_confirm_with_a_wrong_code_keeps_it_off(client, clk):
    alice = await register(client, "alice")
    secret = (await client.post("/api/v1/me/second-factor/totp", headers=alice.headers)).json()["secret"]
    r = await client.post("/api/v1/me/second-factor/totp/confirm", headers=alice.headers,
                          json={"code": other_code(clk.code(secret))})
    assert r.status_code == 403 and r.json()["code"] == "invalid_code"
    assert (await client.get("/api/v1/me/second-factor", headers=alice.headers)).json()["totp"] is False
    assert (await password_step(client, "alice")).status_code == 200


async def test_confirm_without_enrolment_is_a_conflict(client, clk):
    alice = await register(client, "alice")
    r = await client.post("/api/v1/me/second-factor/totp/confirm", headers=alice.headers, json={"code": "123456"})
    assert r.status_code == 409 and r.json()["code"] == "no_enrolment"


async def test_confirm_answers_ten_distinct_recovery_codes_stored_only_hashed(client, clk):
    alice = await register(client, "alice")
    secret, codes = await enrol(client, alice, clk)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(c) == 19 and c.count("-") == 3 for c in codes)
    status = (await client.get("/api/v1/me/second-factor", headers=alice.headers)).json()
    assert status["totp"] is True and status["recovery_codes_left"] == 10
    # No auth.second_factor_key in this config: kept as it is, marked so (see the sealed test below).
    assert await sql_value(client, "SELECT secret FROM totp_factors WHERE user_id = $1", alice.id) == "plain:" + secret
    assert await sql_value(client, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1", alice.id) == 10
    assert await sql_value(client, "SELECT COUNT(*) FROM recovery_codes WHERE code_hash IN ($1, $2)",
                           codes[0], codes[0].replace("-", "")) == 0
    # Enrolling again while on is refused; the secret is never shown again.
    r = await client.post("/api/v1/me/second-factor/totp", headers=alice.headers)
    assert r.status_code == 409 and r.json()["code"] == "second_factor_enabled"
    assert secret not in (await client.get("/api/v1/me/second-factor", headers=alice.headers)).text


async def test_sign_in_needs_the_code_after_the_password(client, clk):
    alice = await register(client, "alice")
    secret, _ = await enrol(client, alice, clk)
    r = await password_step(client, "alice")
    assert r.status_code == 401
    body = r.json()
    assert body["code"] == "second_factor_required" and body["expires_in"] == 300
    assert "token" not in body and "set-cookie" not in r.headers
    r = await code_step(client, body["challenge"], clk.next_code(secret))
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert r.cookies.get("chatd_session") == token and r.cookies.get("csrf_token")
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["id"] == alice.id


async def test_wrong_password_answers_alike_with_or_without_totp(client, clk):
    alice = await register(client, "alice")
    await register(client, "bob")
    await enrol(client, alice, clk)
    answers = [await password_step(client, name, "wrong password 123") for name in ("alice", "bob", "nobody")]
    assert {r.status_code for r in answers} == {401}
    assert {r.json()["code"] for r in answers} == {"invalid_credentials"}
    assert all("challenge" not in r.json() for r in answers)


async def test_a_wrong_code_does_not_sign_in_and_the_challenge_allows_a_retry(client, clk):
    _, secret, challenge = await at_code_step(client, clk)
    right = clk.next_code(secret)
    r = await code_step(client, challenge, other_code(right))
    assert r.status_code == 401 and r.json()["code"] == "invalid_code" and "set-cookie" not in r.headers
    assert (await code_step(client, challenge, right)).status_code == 200


async def test_a_code_is_accepted_once_replay_refused(client, clk):
    alice = await register(client, "alice")
    secret, _ = await enrol(client, alice, clk)
    code = clk.next_code(secret)
    first = (await password_step(client, "alice")).json()["challenge"]
    assert (await code_step(client, first, code)).status_code == 200
    second = (await password_step(client, "alice")).json()["challenge"]
    r = await code_step(client, second, code)  # same code, same 30 s window
    assert r.status_code == 401 and r.json()["code"] == "invalid_code"
    # The holder is told (ASVS 2.8.5): a reused code means someone else may have the password.
    told = (await client.get("/api/v1/me/security-activity", headers=alice.headers)).json()["items"]
    assert [e["kind"] for e in told].count("second_factor_code_reused") == 1
    # An older step's code (within the drift) is refused too: steps only move forward.
    r = await code_step(client, second, clk.code(secret, steps_ahead=-1))
    assert r.status_code == 401


async def test_a_challenge_is_spent_by_its_sign_in(client, clk):
    _, secret, challenge = await at_code_step(client, clk)
    assert (await code_step(client, challenge, clk.next_code(secret))).status_code == 200
    r = await code_step(client, challenge, clk.next_code(secret))
    assert r.status_code == 401 and r.json()["code"] == "challenge_invalid"


async def test_an_expired_challenge_is_refused(client, clk):
    _, secret, challenge = await at_code_step(client, clk)
    clk.advance(301)
    r = await code_step(client, challenge, clk.code(secret))
    assert r.status_code == 401 and r.json()["code"] == "challenge_invalid"


async def test_an_unknown_challenge_is_refused(client, clk):
    r = await code_step(client, "made-up-challenge", "123456")
    assert r.status_code == 401 and r.json()["code"] == "challenge_invalid"
    r = await code_step(client, "x" * 300, "123456")
    assert r.status_code == 400  # longer than any challenge: refused before hashing


async def test_a_challenge_ends_after_five_wrong_codes(client, clk):
    _, secret, challenge = await at_code_step(client, clk)
    right = clk.next_code(secret)
    for _ in range(5):
        assert (await code_step(client, challenge, other_code(right))).json()["code"] == "invalid_code"
    r = await code_step(client, challenge, right)
    assert r.status_code == 401 and r.json()["code"] == "challenge_invalid"


async def test_a_recovery_code_signs_in_once(client, clk):
    alice = await register(client, "alice")
    _, codes = await enrol(client, alice, clk)
    challenge = (await password_step(client, "alice")).json()["challenge"]
    r = await code_step(client, challenge, codes[3].upper().replace("-", " "))  # typed loosely
    assert r.status_code == 200
    challenge = (await password_step(client, "alice")).json()["challenge"]
    r = await code_step(client, challenge, codes[3])
    assert r.status_code == 401 and r.json()["code"] == "invalid_code"
    status = (await client.get("/api/v1/me/second-factor", headers=alice.headers)).json()
    assert status["recovery_codes_left"] == 9


async def test_one_accounts_recovery_code_does_not_open_another(client, clk):
    alice, bob = await register(client, "alice"), await register(client, "bob")
    _, alice_codes = await enrol(client, alice, clk)
    await enrol(client, bob, clk)
    challenge = (await password_step(client, "bob")).json()["challenge"]
    r = await code_step(client, challenge, alice_codes[0])
    assert r.status_code == 401 and r.json()["code"] == "invalid_code"


async def test_guessing_codes_is_limited_like_passwords(client_with, clk):
    from tests.api.test_auth import LIMITED, at

    async with client_with(**LIMITED) as c:
        alice = await register(c, "alice")
        secret, _ = await enrol(c, alice, clk)
        right = clk.next_code(secret)
        for _ in range(3):
            challenge = (await password_step(c, "alice", **at("10.6.6.6"))).json()["challenge"]
            assert (await code_step(c, challenge, other_code(right), **at("10.6.6.6"))).status_code == 401
        # The budget is spent: even the password step (and a right code) wait now.
        r = await password_step(c, "alice", **at("10.6.6.6"))
        assert r.status_code == 429 and r.json()["code"] == "login_rate_limited"
        r = await code_step(c, challenge, right, **at("10.6.6.6"))
        assert r.status_code == 429


async def test_disabling_needs_the_password_and_a_code(client, clk):
    alice = await register(client, "alice")
    secret, codes = await enrol(client, alice, clk)
    url = "/api/v1/me/second-factor/totp/disable"
    r = await client.post(url, headers=alice.headers, json={"password": "wrong password 123",
                                                            "code": clk.next_code(secret)})
    assert r.status_code == 403 and r.json()["code"] == "wrong_password"
    r = await client.post(url, headers=alice.headers, json={"password": PASSWORD, "code": other_code(clk.code(secret))})
    assert r.status_code == 403 and r.json()["code"] == "invalid_code"
    assert (await client.get("/api/v1/me/second-factor", headers=alice.headers)).json()["totp"] is True
    r = await client.post(url, headers=alice.headers, json={"password": PASSWORD, "code": codes[0]})
    assert r.status_code == 204
    assert (await client.get("/api/v1/me/second-factor", headers=alice.headers)).json() == {
        "totp": False, "pending": False, "recovery_codes_left": 0, "security_keys": 0, "enabled": False,
        "admin_required": False}
    assert await sql_value(client, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1", alice.id) == 0
    assert (await password_step(client, "alice")).status_code == 200
    r = await client.post(url, headers=alice.headers, json={"password": PASSWORD, "code": codes[1]})
    assert r.status_code == 409 and r.json()["code"] == "second_factor_not_enabled"


async def test_nobody_touches_another_accounts_factor(client, clk):
    """Every route acts on the caller's own account: bob's requests change
    nothing of alice's, and there is no path that names another user."""
    alice, bob = await register(client, "alice"), await register(client, "bob")
    secret, codes = await enrol(client, alice, clk)
    # Bob's codes and password never turn alice's factor off; his own is not on.
    r = await client.post("/api/v1/me/second-factor/totp/disable", headers=bob.headers,
                          json={"password": PASSWORD, "code": codes[0]})
    assert r.status_code == 409
    r = await client.post("/api/v1/me/second-factor/totp/confirm", headers=bob.headers,
                          json={"code": clk.next_code(secret)})
    assert r.status_code == 409 and r.json()["code"] == "no_enrolment"
    assert (await client.get("/api/v1/me/second-factor", headers=bob.headers)).json()["totp"] is False
    assert (await client.get("/api/v1/me/second-factor", headers=alice.headers)).json()["recovery_codes_left"] == 10
    # An unauthenticated caller gets nothing at all.
    assert (await client.get("/api/v1/me/second-factor")).status_code == 401
    assert (await client.post("/api/v1/me/second-factor/totp")).status_code == 401


async def test_cookie_sessions_need_the_csrf_header(client, clk):
    alice = await register(client, "alice")
    r = await password_step(client, "alice")
    csrf = r.cookies["csrf_token"]
    assert (await client.post("/api/v1/me/second-factor/totp")).status_code == 403
    r = await client.post("/api/v1/me/second-factor/totp", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    secret = r.json()["secret"]
    r = await client.post("/api/v1/me/second-factor/totp/confirm", json={"code": clk.next_code(secret)})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = await client.post("/api/v1/me/second-factor/totp/confirm", json={"code": clk.code(secret)},
                          headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    r = await client.post("/api/v1/auth/reauth", json={"password": PASSWORD, "code": clk.next_code(secret)})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    assert (await client.get("/api/v1/me/second-factor", headers=alice.headers)).json()["totp"] is True


async def test_secrets_are_sealed_with_the_configured_key(client_with, clk):
    import base64
    import os

    key = base64.b64encode(os.urandom(32)).decode()
    async with client_with(auth={"second_factor_key": key}) as c:
        alice = await register(c, "alice")
        secret, _ = await enrol(c, alice, clk)
        stored = await sql_value(c, "SELECT secret FROM totp_factors WHERE user_id = $1", alice.id)
        assert stored.startswith("v1:") and secret not in stored
        # Copied onto another account's row, it does not open there (the user id is bound in).
        bob = await register(c, "bob")
        await in_app(c, services(c).stores.second_factors.begin_totp, bob.id, stored, clock.now())
        await sql(c, "UPDATE totp_factors SET confirmed_at = 1 WHERE user_id = $1", bob.id)
        challenge = (await password_step(c, "bob")).json()["challenge"]
        r = await code_step(c, challenge, clk.next_code(secret))
        assert r.status_code == 503 and r.json()["code"] == "second_factor_key_wrong"


async def test_the_operator_resets_a_lost_factor_from_the_shell(client, clk):
    """`chatd user reset-second-factor NAME` (the same call, tests/unit/test_init_second_factor.py runs the command)."""
    alice = await register(client, "alice")
    await enrol(client, alice, clk)
    accounts = services(client).accounts
    user = await in_app(client, accounts.find_user, "alice")
    assert await in_app(client, accounts.factors.reset, user) is True
    assert (await password_step(client, "alice")).status_code == 200
    assert await sql_value(client, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1", alice.id) == 0
    assert await in_app(client, accounts.factors.reset, user) is False
