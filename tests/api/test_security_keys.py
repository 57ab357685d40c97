"""Security keys and passkeys (WebAuthn, ASVS 2.3.2) over HTTP, driven by a
software authenticator (webauthn_helpers.SoftKey) against the real server
code: enrolment after a step-up, sign-in and step-up with a key, and every
way an answer can be wrong (replayed, another origin or rp id, a counter
going back, someone else's key, a stale challenge, malformed base64), each
refused with problem details and nothing changed."""

from __future__ import annotations

import pytest
from tests.api.account_helpers import PASSWORD, in_app, services, sql_value
from tests.api.second_factor_helpers import enrol, password_step
from tests.api.test_second_factor import client_with, clk  # noqa: F401 - the same fixtures
from tests.api.webauthn_helpers import KEYS, SoftKey, add_key, b64, key_step, sign_in_with, unb64
from tests.conftest import register

STATUS = "/api/v1/me/second-factor"


async def events(client, who) -> list[str]:
    r = await client.get("/api/v1/me/security-activity", headers=who.headers, params={"limit": 100})
    return [e["kind"] for e in r.json()["items"]]


async def sign_count(client, key: SoftKey) -> int:
    return int(await sql_value(client, "SELECT sign_count FROM webauthn_credentials WHERE credential_id = $1", key.id))


# -- enrolment ---------------------------------------------------------------


async def test_a_key_is_enrolled_listed_and_turns_two_step_on(client):
    alice = await register(client, "alice")
    options = (await client.post(KEYS + "/options", headers=alice.headers)).json()["publicKey"]
    assert options["rp"] == {"id": "localhost", "name": "chatd"} and options["user"]["name"] == "alice"
    assert options["attestation"] == "none" and {"type": "public-key", "alg": -7} in options["pubKeyCredParams"]
    key = SoftKey()
    r = await client.post(KEYS, headers=alice.headers, json={"name": " Blue\u0000 key ", "credential": key.create(options)})
    assert r.status_code == 201, r.text
    added = r.json()
    assert added["name"] == "Blue key" and added["transports"] == ["usb"] and added["last_used_at"] is None
    assert (await client.get(KEYS, headers=alice.headers)).json() == [added]
    status = (await client.get(STATUS, headers=alice.headers)).json()
    assert status["security_keys"] == 1 and status["enabled"] is True and status["totp"] is False
    # The public key is kept, not the private: only what the authenticator sent.
    stored = await sql_value(client, "SELECT public_key FROM webauthn_credentials WHERE user_id = $1", alice.id)
    assert unb64(stored) == key._cose()
    assert await events(client, alice) == ["second_factor_enabled", "security_key_added"]
    # The password alone no longer signs in; the key's options come with the challenge.
    problem = await key_step(client, "alice")
    assert problem["methods"] == ["webauthn"]
    assert problem["webauthn"]["rpId"] == "localhost"
    assert [c["id"] for c in problem["webauthn"]["allowCredentials"]] == [key.id]
    # A second key excludes the first one at its enrolment.
    options = (await client.post(KEYS + "/options", headers=alice.headers)).json()["publicKey"]
    assert [c["id"] for c in options["excludeCredentials"]] == [key.id]


async def test_enrolment_needs_a_recent_step_up(client, clk):
    alice = await register(client, "alice")
    options = (await client.post(KEYS + "/options", headers=alice.headers)).json()["publicKey"]
    clk.advance(11 * 60)
    r = await client.post(KEYS, headers=alice.headers, json={"name": "k", "credential": SoftKey().create(options)})
    assert r.status_code == 403 and r.json()["code"] == "reauthentication_required"
    r = await client.post(KEYS + "/options", headers=alice.headers)
    assert r.status_code == 403 and r.json()["code"] == "reauthentication_required"
    assert await sql_value(client, "SELECT COUNT(*) FROM webauthn_credentials") == 0
    # A step-up with the password (no factor yet) opens it again.
    assert (await client.post("/api/v1/auth/reauth", headers=alice.headers, json={"password": PASSWORD})).status_code == 204
    await add_key(client, alice)


async def test_an_enrolment_that_does_not_verify_stores_nothing(client, clk):
    alice = await register(client, "alice")
    key = SoftKey()

    async def attempt(credential_of, *, fresh=True):
        options = (await client.post(KEYS + "/options", headers=alice.headers)).json()["publicKey"] if fresh else None
        return await client.post(KEYS, headers=alice.headers, json={"name": "k", "credential": credential_of(options)})

    r = await attempt(lambda o: key.create(o, origin="http://evil.example:8080"))
    assert r.status_code == 403 and r.json()["code"] == "invalid_attestation"
    r = await attempt(lambda o: key.create(o, rp_id="evil.example"))
    assert r.status_code == 403 and r.json()["code"] == "invalid_attestation"
    r = await attempt(lambda o: key.create({**o, "challenge": b64(b"another challenge")}))
    assert r.status_code == 403 and r.json()["code"] == "invalid_attestation"
    # Without options pending on this session (never asked, already spent, or expired).
    r = await attempt(lambda o: key.create({"challenge": b64(b"x"), "rp": {"id": "localhost"}}), fresh=False)
    assert r.status_code == 403 and r.json()["code"] == "webauthn_challenge_invalid"
    options = (await client.post(KEYS + "/options", headers=alice.headers)).json()["publicKey"]
    clk.advance(301)
    r = await client.post(KEYS, headers=alice.headers, json={"name": "k", "credential": key.create(options)})
    assert r.status_code == 403 and r.json()["code"] == "webauthn_challenge_invalid"
    assert await sql_value(client, "SELECT COUNT(*) FROM webauthn_credentials") == 0
    assert (await client.get(STATUS, headers=alice.headers)).json()["enabled"] is False


async def test_malformed_credentials_are_problems_not_crashes(client):
    alice = await register(client, "alice")
    key = SoftKey()
    options = (await client.post(KEYS + "/options", headers=alice.headers)).json()["publicKey"]
    good = key.create(options)
    bad = [
        {**good, "rawId": "not*base64"},
        {**good, "rawId": "abcde"},  # base64url can never be 5 characters long
        {**good, "id": b64(b"another id")},  # id and rawId disagree
        {**good, "type": "password"},
        {**good, "response": {**good["response"], "clientDataJSON": "%%%"}},
        {**good, "response": {"clientDataJSON": good["response"]["clientDataJSON"]}},
        {"id": good["id"]},
    ]
    for credential in bad:
        r = await client.post(KEYS, headers=alice.headers, json={"name": "k", "credential": credential})
        assert r.status_code == 400, (credential, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    for name in ["", " ", "x" * 65]:
        r = await client.post(KEYS, headers=alice.headers, json={"name": name, "credential": good})
        assert r.status_code == 400 and r.json()["code"] == "invalid_name"
    # Garbage inside well-formed base64 (not CBOR, not JSON) is refused as not verifying.
    junk = {**good, "response": {"clientDataJSON": b64(b"{"), "attestationObject": b64(b"\xff\x00")}}
    r = await client.post(KEYS, headers=alice.headers, json={"name": "k", "credential": junk})
    assert r.status_code == 403 and r.json()["code"] == "invalid_attestation"
    assert await sql_value(client, "SELECT COUNT(*) FROM webauthn_credentials") == 0


async def test_one_key_belongs_to_one_account(client):
    alice, bob = await register(client, "alice"), await register(client, "bob")
    key, _ = await add_key(client, alice)
    options = (await client.post(KEYS + "/options", headers=bob.headers)).json()["publicKey"]
    r = await client.post(KEYS, headers=bob.headers, json={"name": "mine now", "credential": key.create(options)})
    assert r.status_code == 409 and r.json()["code"] == "security_key_registered"
    assert await sql_value(client, "SELECT COUNT(*) FROM webauthn_credentials WHERE user_id = $1", bob.id) == 0


# -- signing in --------------------------------------------------------------


async def test_a_key_signs_in_and_the_session_works(client):
    alice = await register(client, "alice")
    key, stored = await add_key(client, alice)
    problem = await key_step(client, "alice")
    r = await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"]))
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert r.cookies.get("chatd_session") or "chatd_session" in r.headers.get("set-cookie", "")
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "alice"
    assert await sign_count(client, key) == 1
    listed = (await client.get(KEYS, headers=alice.headers)).json()[0]
    assert listed["last_used_at"] is not None
    # Again, with a new challenge: the counter moves on.
    problem = await key_step(client, "alice")
    assert (await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"]))).status_code == 200
    assert await sign_count(client, key) == 2


async def test_with_totp_too_every_method_is_offered(client, clk):
    alice = await register(client, "alice")
    secret, _ = await enrol(client, alice, clk)
    key, _ = await add_key(client, alice)
    problem = await key_step(client, "alice")
    assert problem["methods"] == ["totp", "recovery_code", "webauthn"]
    assert (await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"]))).status_code == 200
    problem = await key_step(client, "alice")
    r = await client.post("/api/v1/auth/login/second-factor",
                          json={"challenge": problem["challenge"], "code": clk.next_code(secret)})
    assert r.status_code == 200


async def test_a_replayed_assertion_is_refused(client):
    alice = await register(client, "alice")
    key, _ = await add_key(client, alice)
    problem = await key_step(client, "alice")
    answer = key.get(problem["webauthn"])
    assert (await sign_in_with(client, problem["challenge"], answer)).status_code == 200
    # The same answer again: its challenge is spent.
    r = await sign_in_with(client, problem["challenge"], answer)
    assert r.status_code == 401 and r.json()["code"] == "challenge_invalid"
    # Sent for a new sign-in: it answers the old challenge, not this one.
    problem = await key_step(client, "alice")
    r = await sign_in_with(client, problem["challenge"], answer)
    assert r.status_code == 401 and r.json()["code"] == "invalid_assertion"
    assert await sign_count(client, key) == 1
    # The challenge stays for the right answer.
    assert (await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"]))).status_code == 200


@pytest.mark.parametrize("lie", [
    {"origin": "http://localhost:8081"},
    {"origin": "https://localhost:8080"},
    {"origin": "http://evil.example"},
    {"rp_id": "evil.example"},
    {"challenge": b64(b"a challenge the server never gave")},
])
async def test_an_assertion_for_another_origin_rp_or_challenge_is_refused(client, lie):
    alice = await register(client, "alice")
    key, _ = await add_key(client, alice)
    problem = await key_step(client, "alice")
    r = await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"], **lie))
    assert r.status_code == 401 and r.json()["code"] == "invalid_assertion"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await sign_count(client, key) == 0
    assert await sql_value(client, "SELECT last_used_at FROM webauthn_credentials") is None


async def test_a_bad_signature_is_refused(client):
    alice = await register(client, "alice")
    key, _ = await add_key(client, alice)
    problem = await key_step(client, "alice")
    answer = key.get(problem["webauthn"])
    signature = bytearray(unb64(answer["response"]["signature"]))
    signature[-1] ^= 1
    answer["response"]["signature"] = b64(bytes(signature))
    r = await sign_in_with(client, problem["challenge"], answer)
    assert r.status_code == 401 and r.json()["code"] == "invalid_assertion"


async def test_a_counter_going_back_is_a_cloned_key_refused_and_told(client):
    alice = await register(client, "alice")
    key, _ = await add_key(client, alice)
    for _ in range(3):
        problem = await key_step(client, "alice")
        assert (await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"]))).status_code == 200
    assert await sign_count(client, key) == 3
    problem = await key_step(client, "alice")
    r = await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"], counter=2))  # a copy, behind
    assert r.status_code == 401 and r.json()["code"] == "invalid_assertion"
    assert await sign_count(client, key) == 3
    assert (await events(client, alice))[0] == "security_key_cloned"
    detail = (await client.get("/api/v1/me/security-activity", headers=alice.headers)).json()["items"][0]["detail"]
    assert detail == "Blue key"
    r = await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"], counter=3))  # equal: refused too
    assert r.status_code == 401
    assert (await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"], counter=9))).status_code == 200


async def test_another_accounts_key_or_an_unknown_key_does_not_sign_in(client):
    alice, bob = await register(client, "alice"), await register(client, "bob")
    await add_key(client, alice)
    bobs_key, _ = await add_key(client, bob, name="Bob's")
    problem = await key_step(client, "alice")
    # Bob's key signs alice's challenge properly: still not alice's key.
    r = await sign_in_with(client, problem["challenge"], bobs_key.get(problem["webauthn"]))
    assert r.status_code == 401 and r.json()["code"] == "invalid_assertion"
    r = await sign_in_with(client, problem["challenge"], SoftKey().get(problem["webauthn"]))
    assert r.status_code == 401 and r.json()["code"] == "invalid_assertion"
    assert await sign_count(client, bobs_key) == 0


async def test_an_expired_or_keyless_challenge_is_refused(client, clk):
    alice = await register(client, "alice")
    key, _ = await add_key(client, alice)
    problem = await key_step(client, "alice")
    clk.advance(301)
    r = await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"]))
    assert r.status_code == 401 and r.json()["code"] == "challenge_invalid"
    # Bob has TOTP only: his challenge offered no key, so no key answer is taken for it.
    bob = await register(client, "bob")
    await enrol(client, bob, clk)
    challenge = (await password_step(client, "bob")).json()["challenge"]
    assert "webauthn" not in (await password_step(client, "bob")).json()
    r = await sign_in_with(client, challenge, key.get(problem["webauthn"]))
    assert r.status_code == 401 and r.json()["code"] == "challenge_invalid"


async def test_malformed_assertions_are_problems_and_leave_the_challenge(client):
    alice = await register(client, "alice")
    key, _ = await add_key(client, alice)
    problem = await key_step(client, "alice")
    good = key.get(problem["webauthn"])
    for credential in [{**good, "rawId": "a.b"}, {**good, "id": "Zm9v", "rawId": "YmFy"},
                       {**good, "response": {**good["response"], "signature": "====="}},
                       {**good, "response": {**good["response"], "authenticatorData": None}},
                       {**good, "response": {**good["response"], "authenticatorData": b64(b"short")}},
                       {**good, "response": {**good["response"], "clientDataJSON": b64(b"not json")}}]:
        r = await sign_in_with(client, problem["challenge"], credential)
        assert r.status_code in (400, 401), r.text
        assert r.json()["code"] in ("invalid", "invalid_credential", "invalid_assertion")
    r = await client.post("/api/v1/auth/login/security-key", json={"challenge": problem["challenge"]})
    assert r.status_code == 400
    # Malformed ones cost no try, the two garbled-but-well-formed ones did: the
    # challenge lives on (five wrong answers end it) and the key still signs in.
    assert (await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"]))).status_code == 200
    assert await sign_count(client, key) == 2


async def test_wrong_assertions_count_toward_the_login_limiter(client_with):
    from tests.api.test_auth import LIMITED, at

    async with client_with(**LIMITED) as c:
        alice = await register(c, "alice")
        key, _ = await add_key(c, alice)
        for _ in range(3):
            problem = (await password_step(c, "alice", **at("10.6.6.6"))).json()
            r = await c.post("/api/v1/auth/login/security-key", **at("10.6.6.6"), json={
                "challenge": problem["challenge"], "credential": key.get(problem["webauthn"], origin="http://x")})
            assert r.status_code == 401
        r = await password_step(c, "alice", **at("10.6.6.6"))
        assert r.status_code == 429 and r.json()["code"] == "login_rate_limited"
        r = await c.post("/api/v1/auth/login/security-key", **at("10.6.6.6"), json={
            "challenge": problem["challenge"], "credential": key.get(problem["webauthn"])})
        assert r.status_code == 429


# -- step-up, rename, remove ---------------------------------------------------


async def reauth_with(client, who, key: SoftKey, **lie):
    options = (await client.post("/api/v1/auth/reauth/options", headers=who.headers)).json()["publicKey"]
    answer = key.get(options, **lie)
    r = await client.post("/api/v1/auth/reauth", headers=who.headers, json={"password": PASSWORD, "credential": answer})
    return r, answer


async def test_step_up_takes_a_key(client, clk):
    alice = await register(client, "alice")
    key, _ = await add_key(client, alice)
    clk.advance(11 * 60)
    r = await client.post("/api/v1/auth/reauth", headers=alice.headers, json={"password": PASSWORD})
    assert r.status_code == 403 and r.json()["code"] == "second_factor_required"
    r, _ = await reauth_with(client, alice, key, origin="http://evil.example")
    assert r.status_code == 403 and r.json()["code"] == "invalid_assertion"
    r, answer = await reauth_with(client, alice, key)
    assert r.status_code == 204, r.text
    # The options are spent by their use: the same answer again is refused.
    r = await client.post("/api/v1/auth/reauth", headers=alice.headers, json={"password": PASSWORD, "credential": answer})
    assert r.status_code == 403 and r.json()["code"] == "webauthn_challenge_invalid"
    assert (await client.post(KEYS + "/options", headers=alice.headers)).status_code == 200


async def test_rename_and_remove_only_ones_own_keys(client, clk):
    alice, bob = await register(client, "alice"), await register(client, "bob")
    _, first = await add_key(client, alice)
    _, second = await add_key(client, alice, name="Spare")
    r = await client.patch(f"{KEYS}/{first['id']}", headers=alice.headers, json={"name": "Keyring"})
    assert r.status_code == 200 and r.json()["name"] == "Keyring"
    assert (await client.patch(f"{KEYS}/{first['id']}", headers=bob.headers, json={"name": "x"})).status_code == 404
    assert (await client.patch(f"{KEYS}/{first['id']}", headers=alice.headers, json={"name": ""})).status_code == 400
    assert (await client.delete(f"{KEYS}/{first['id']}", headers=bob.headers)).status_code == 404
    assert (await client.get(KEYS, headers=bob.headers)).json() == []
    r = await client.delete(f"{KEYS}/{first['id']}", headers=alice.headers)
    assert r.status_code == 200 and r.json()["two_step"] is True
    assert [k["name"] for k in (await client.get(KEYS, headers=alice.headers)).json()] == ["Spare"]
    # Removing needs a recent step-up.
    clk.advance(11 * 60)
    r = await client.delete(f"{KEYS}/{second['id']}", headers=alice.headers)
    assert r.status_code == 403 and r.json()["code"] == "reauthentication_required"
    assert (await client.get(STATUS, headers=alice.headers)).json()["security_keys"] == 1


async def test_removing_the_last_factor_turns_two_step_off_and_says_so(client, clk):
    alice = await register(client, "alice")
    _, added = await add_key(client, alice)
    r = await client.delete(f"{KEYS}/{added['id']}", headers=alice.headers)
    assert r.status_code == 200
    assert r.json()["two_step"] is False and "now off" in r.json()["detail"]
    assert (await events(client, alice))[:2] == ["second_factor_disabled", "security_key_removed"]
    assert (await password_step(client, "alice")).status_code == 200
    # With TOTP on, removing the only key leaves two-step sign-in on.
    await enrol(client, alice, clk)
    _, added = await add_key(client, alice)
    r = await client.delete(f"{KEYS}/{added['id']}", headers=alice.headers)
    assert r.json()["two_step"] is True
    assert (await password_step(client, "alice")).status_code == 401


async def test_a_key_satisfies_the_admin_rule(client_with):
    async with client_with(auth={"admin_second_factor": "required"}) as c:
        root = await register(c, "root")
        r = await c.get("/api/v1/admin/users", headers=root.headers)
        assert r.status_code == 403 and r.json()["code"] == "second_factor_required_for_admin"
        await add_key(c, root)
        assert (await c.get("/api/v1/admin/users", headers=root.headers)).status_code == 200


async def test_the_operators_reset_and_account_deletion_remove_keys(client):
    alice, bob = await register(client, "alice"), await register(client, "bob")
    await add_key(client, alice)
    await add_key(client, bob)
    accounts = services(client).accounts
    user = await in_app(client, accounts.find_user, "alice")
    assert await in_app(client, accounts.factors.reset, user) is True
    assert (await password_step(client, "alice")).status_code == 200
    r = await client.request("DELETE", "/api/v1/me", headers=bob.headers, json={"password": PASSWORD})
    assert r.status_code == 204, r.text
    assert await sql_value(client, "SELECT COUNT(*) FROM webauthn_credentials") == 0
