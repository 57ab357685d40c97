"""Security activity (ASVS 2.2.3, 2.5.5): every change to an account's
credentials, devices and standing is recorded, pushed at once to every live
socket of its owner (and to nobody else), kept in /sync for an offline
device, listed newest first under /me/security-activity, bounded, and
never holds a secret."""

from __future__ import annotations

import json

import anyio

from chatd import clock
from chatd.services import security_activity
from chatd.services.second_factor import totp
from tests.api.account_helpers import PASSWORD, in_app, login, services, sql_value
from tests.api.webauthn_helpers import KEYS, add_key, key_step, sign_in_with
from tests.conftest import register
from tests.e2ee_device import publish_device

PATH = "/api/v1/me/security-activity"
NEW_PASSWORD = "a different horse, stapled"
FIREFOX = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}
ANDROID = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"}


async def kinds(client, account) -> list[str]:
    r = await client.get(PATH, headers=account.headers, params={"limit": 100})
    assert r.status_code == 200, r.text
    return [e["kind"] for e in r.json()["items"]]


def frames_until_pong(ws, ping_id: int) -> list[dict]:
    """Every frame up to the pong of a ping sent now: what the socket got before it."""
    ws.send_text(json.dumps({"type": "ping", "id": ping_id}))
    seen = []
    while (frame := json.loads(ws.receive_text(timeout=5))) != {"type": "pong", "id": ping_id}:
        seen.append(frame)
    return seen


def security_events(frames: list[dict]) -> list[dict]:
    return [f["payload"] for f in frames if f.get("type") == "security.activity"]


def receive_security_events(ws, n: int) -> list[dict]:
    """The next `n` security.activity payloads (events travel the bus, a pong does not: wait for them)."""
    got: list[dict] = []
    while len(got) < n:
        got += security_events([json.loads(ws.receive_text(timeout=5))])
    return got


async def logged(client, account, kind: str) -> None:
    """Wait until /sync holds the account's event of `kind` (at once on SQL; the
    MongoDB relay moves SQL's events within a second)."""
    for _ in range(100):
        r = await client.get("/api/v1/sync", headers=account.headers, params={"since": 0, "limit": 1000})
        if any(e["payload"].get("kind") == kind for e in r.json()["events"] if e["type"] == "security.activity"):
            return
        await anyio.sleep(0.05)
    raise AssertionError(f"no {kind} in /sync")


async def test_every_kind_is_recorded_for_its_owner_only(client):
    admin = await register(client, "admin")  # the first account is an admin
    alice, bob = await register(client, "alice"), await register(client, "bob")
    h = alice.headers
    assert (await client.put("/api/v1/me/password", headers=h,
                             json={"current": PASSWORD, "new": NEW_PASSWORD})).status_code == 204
    await login(client, "alice", NEW_PASSWORD, headers=ANDROID)  # a device family not seen on this account
    assert (await client.delete("/api/v1/me/sessions", headers=h)).status_code == 204
    await login(client, "alice", NEW_PASSWORD)
    other = next(s["id"] for s in (await client.get("/api/v1/me/sessions", headers=h)).json()["items"]
                 if not s["current"])
    assert (await client.delete(f"/api/v1/me/sessions/{other}", headers=h)).status_code == 204
    token = (await client.post("/api/v1/me/tokens", headers=h, json={"name": "backup bot"})).json()
    assert (await client.delete(f"/api/v1/me/tokens/{token['id']}", headers=h)).status_code == 204
    await client.post("/api/v1/me/tokens", headers=h, json={"name": "second"})
    assert (await client.delete("/api/v1/me/tokens", headers=h)).status_code == 204
    await publish_device(client, alice, "d1")
    assert (await client.delete("/api/v1/me/keys/d1", headers=h)).status_code == 200
    from tests.api.test_key_backup import backup

    assert (await client.put("/api/v1/me/key-backup", headers=h, json=backup())).status_code == 200
    assert (await client.delete("/api/v1/me/key-backup", headers=h)).status_code == 204
    codes = await turn_on_two_step(client, alice)
    used = alice.last_code  # spent by the confirmation: sending it again is a replay
    r = await client.post("/api/v1/auth/reauth", headers=h, json={"password": NEW_PASSWORD, "code": used})
    assert r.status_code == 403 and r.json()["code"] == "invalid_code"
    assert (await client.post("/api/v1/me/second-factor/totp/disable", headers=h,
                              json={"password": NEW_PASSWORD, "code": codes[0]})).status_code == 204
    key, added = await add_key(client, alice)
    for counter, status in [(5, 200), (4, 401)]:  # then the counter goes back: a cloned key
        problem = await key_step(client, "alice", NEW_PASSWORD)
        r = await sign_in_with(client, problem["challenge"], key.get(problem["webauthn"], counter=counter))
        assert r.status_code == status
    assert (await client.delete(f"{KEYS}/{added['id']}", headers=h)).status_code == 200
    admin_h = admin.headers
    assert (await client.put(f"/api/v1/admin/users/{alice.id}/role", headers=admin_h,
                             json={"role": "guest"})).status_code == 200
    assert (await client.post(f"/api/v1/admin/users/{alice.id}/disable", headers=admin_h)).status_code == 200
    assert (await client.post(f"/api/v1/admin/users/{alice.id}/enable", headers=admin_h)).status_code == 200

    got = await kinds(client, alice)
    assert set(got) == security_activity.KINDS, set(security_activity.KINDS) ^ set(got)
    assert got[0] == "account_enabled" and got[-1] == "password_changed"  # newest first
    r = (await client.get(PATH, headers=h, params={"limit": 100})).json()["items"]
    by_kind: dict = {}
    for e in r:
        by_kind.setdefault(e["kind"], e)  # the newest of each
    assert by_kind["role_changed"]["by"] == "admin" and by_kind["role_changed"]["detail"] == "guest"
    assert by_kind["new_sign_in"]["device"] == "Chrome on Android" and by_kind["new_sign_in"]["by"] == "self"
    assert by_kind["token_created"]["detail"] == "second" and by_kind["device_key_added"]["detail"] == "d1"
    assert by_kind["sessions_ended"]["detail"] == "1"
    assert await kinds(client, bob) == []  # nothing of alice's reaches bob
    assert "alice" not in (await client.get(PATH, headers=bob.headers)).text


async def turn_on_two_step(client, account) -> list[str]:
    """TOTP on for `account` at the real time; its recovery codes."""
    r = await client.post("/api/v1/me/second-factor/totp", headers=account.headers)
    assert r.status_code == 201, r.text
    code = totp.code_at(r.json()["secret"], clock.now().timestamp())
    account.last_code = code
    r = await client.post("/api/v1/me/second-factor/totp/confirm", headers=account.headers, json={"code": code})
    assert r.status_code == 200, r.text
    return r.json()["recovery_codes"]


async def test_a_two_step_sign_in_from_a_new_place_is_news_too(client):
    alice = await register(client, "alice")
    codes = await turn_on_two_step(client, alice)
    r = await client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD}, headers=ANDROID)
    assert r.status_code == 401 and r.json()["code"] == "second_factor_required"
    assert await kinds(client, alice) == ["second_factor_enabled"]  # the password alone made no session
    r = await client.post("/api/v1/auth/login/second-factor", headers=ANDROID,
                          json={"challenge": r.json()["challenge"], "code": codes[0]})
    assert r.status_code == 200, r.text
    assert await kinds(client, alice) == ["new_sign_in", "recovery_code_used", "second_factor_enabled"]


async def test_an_operator_at_the_console_is_named_as_such(client):
    await register(client, "admin")
    alice = await register(client, "alice")
    await in_app(client, lambda: services(client).accounts.set_role("alice", "guest"))
    items = (await client.get(PATH, headers=alice.headers)).json()["items"]
    assert [(e["kind"], e["by"], e["detail"]) for e in items] == [("role_changed", "operator", "guest")]


async def test_a_sign_in_is_news_only_from_a_new_device_or_network(client):
    alice = await register(client, "alice")
    await login(client, "alice", headers=FIREFOX)
    await login(client, "alice", headers=FIREFOX)  # same browser family and network: no news the second time
    await login(client, "alice", headers={"User-Agent": FIREFOX["User-Agent"].replace("133.0", "134.0")})
    assert await kinds(client, alice) == ["new_sign_in"]  # a browser update is the same device
    await login(client, "alice", headers=ANDROID)
    assert await kinds(client, alice) == ["new_sign_in", "new_sign_in"]
    # Where the account was made is known: signing in there again is no news.
    bob = await register(client, "bob")
    await login(client, "bob")
    assert await kinds(client, bob) == []


async def test_republishing_the_same_device_is_no_news(client):
    alice = await register(client, "alice")
    await publish_device(client, alice, "d1")
    me = (await client.get("/api/v1/me", headers=alice.headers)).json()
    key = me["keys"][0]
    body = {k: key[k] for k in ("device_id", "x25519", "ed25519", "sig")}
    assert (await client.put("/api/v1/me/keys", headers=alice.headers, json=body)).status_code == 200
    assert await kinds(client, alice) == ["device_key_added"]


async def test_the_event_reaches_every_live_socket_of_the_owner_and_nobody_else(client):
    alice, bob = await register(client, "alice"), await register(client, "bob")
    phone = {"Authorization": f"Bearer {(await login(client, 'alice', headers=ANDROID)).json()['token']}"}
    await logged(client, alice, "new_sign_in")  # (MongoDB: the relay has moved it before the sockets open)
    with (await client.websocket_connect("/api/v1/ws", headers=phone)) as alice_phone, \
         (await client.websocket_connect("/api/v1/ws", headers=alice.headers)) as alice_here, \
         (await client.websocket_connect("/api/v1/ws", headers=bob.headers)) as bobs:
        for ws in (alice_phone, alice_here, bobs):
            frames_until_pong(ws, 0)  # hello, ready
        token = (await client.post("/api/v1/me/tokens", headers=alice.headers, json={"name": "ci"})).json()
        r = await client.put("/api/v1/me/password", headers=alice.headers, json={"current": PASSWORD, "new": NEW_PASSWORD})
        assert r.status_code == 204
        for ws in (alice_phone, alice_here):
            got = receive_security_events(ws, 2)
            assert security_events(frames_until_pong(ws, 1)) == []  # and no more
            assert [(e["kind"], e["detail"]) for e in got] == [("token_created", "ci"), ("password_changed", "")]
            assert token["token"] not in json.dumps(got) and NEW_PASSWORD not in json.dumps(got)
        assert frames_until_pong(bobs, 1) == []  # bob's socket heard nothing of it

    # An offline device catches up on /sync; bob's log holds none of it.
    mine = (await client.get("/api/v1/sync", headers=alice.headers, params={"since": 0, "limit": 1000})).json()
    assert [e["payload"]["kind"] for e in mine["events"] if e["type"] == "security.activity"] == \
        ["new_sign_in", "token_created", "password_changed"]
    theirs = (await client.get("/api/v1/sync", headers=bob.headers, params={"since": 0, "limit": 1000})).json()
    assert not [e for e in theirs["events"] if e["type"] == "security.activity"]


async def test_paging_newest_first(client):
    alice = await register(client, "alice")
    for i in range(25):
        await in_app(client, lambda i=i: services(client).activity.record(alice.id, "token_created", detail=f"t{i}"))
    first = (await client.get(PATH, headers=alice.headers, params={"limit": 10})).json()
    assert [e["detail"] for e in first["items"]] == [f"t{i}" for i in range(24, 14, -1)] and first["has_more"]
    second = (await client.get(PATH, headers=alice.headers,
                               params={"limit": 10, "before": first["items"][-1]["id"]})).json()
    assert [e["detail"] for e in second["items"]] == [f"t{i}" for i in range(14, 4, -1)] and second["has_more"]
    last = (await client.get(PATH, headers=alice.headers,
                             params={"limit": 10, "before": second["items"][-1]["id"]})).json()
    assert [e["detail"] for e in last["items"]] == [f"t{i}" for i in range(4, -1, -1)] and not last["has_more"]
    default = (await client.get(PATH, headers=alice.headers)).json()
    assert len(default["items"]) == 20


async def test_bad_paging_is_a_problem_and_anonymous_is_401(client):
    alice = await register(client, "alice")
    for params in [{"limit": 0}, {"limit": 101}, {"limit": "many"}, {"before": "x" * 65}, {"before": ""}]:
        r = await client.get(PATH, headers=alice.headers, params=params)
        assert r.status_code == 400 and r.json()["code"] == "invalid", r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(PATH)).status_code == 401


async def test_only_the_newest_hundred_are_kept(client):
    alice = await register(client, "alice")
    for i in range(security_activity.KEEP + 5):
        await in_app(client, lambda i=i: services(client).activity.record(alice.id, "token_revoked", detail=str(i)))
    assert await sql_value(client, "SELECT COUNT(*) FROM security_events WHERE user_id = $1", alice.id) == 100
    items = (await client.get(PATH, headers=alice.headers, params={"limit": 100})).json()["items"]
    assert [e["detail"] for e in items] == [str(i) for i in range(104, 4, -1)]


async def test_no_secret_is_stored(client):
    alice = await register(client, "alice")
    await client.put("/api/v1/me/password", headers=alice.headers, json={"current": PASSWORD, "new": NEW_PASSWORD})
    token = (await client.post("/api/v1/me/tokens", headers=alice.headers, json={"name": "bot"})).json()["token"]
    session = (await login(client, "alice", NEW_PASSWORD, headers=ANDROID)).json()["token"]
    rows = await in_app(client, lambda: services(client).stores.backends["database"].read(
        lambda c: c.fetch("SELECT * FROM security_events")))
    places = await in_app(client, lambda: services(client).stores.backends["database"].read(
        lambda c: c.fetch("SELECT * FROM sign_in_places")))
    assert len(rows) == 3 and len(places) == 2
    stored = json.dumps([[r[k] for k in r.keys()] for r in rows + places])
    for secret in (PASSWORD, NEW_PASSWORD, token, session, alice.token):
        assert secret not in stored
    assert set(rows[0].keys()) == {"id", "user_id", "kind", "at", "device", "address", "detail", "by_whom"}
