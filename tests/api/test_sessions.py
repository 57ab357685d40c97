"""/api/v1/me/sessions: a user sees where they are signed in and ends any of
it; a login session ends auth.session_max_days after sign-in however much it
is used (ASVS 3.3.2, 3.3.4)."""

from __future__ import annotations

from tests.api.account_helpers import login, sql, sql_value
from tests.conftest import register

DAY_MS = 86_400_000


async def test_a_user_lists_their_own_login_sessions_only(client):
    alice = await register(client, "alice")
    laptop = (await login(client, "alice")).json()["token"]
    bob = await register(client, "bob")
    await client.post("/api/v1/me/tokens", headers=alice.headers, json={"name": "bot"})
    r = await client.get("/api/v1/me/sessions", headers=alice.headers)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    items = r.json()["items"]
    assert len(items) == 2, items  # the registration's and the laptop's; no API token, nothing of bob's
    assert [i["current"] for i in items] == [True, False]
    assert set(items[0]) == {"id", "created_at", "last_used_at", "expires_at", "current"}
    assert laptop not in r.text and alice.token not in r.text and bob.id not in r.text


async def test_ending_one_session_signs_that_device_out_and_nobody_else(client):
    alice = await register(client, "alice")
    laptop = {"Authorization": f"Bearer {(await login(client, 'alice')).json()['token']}"}
    bob = await register(client, "bob")
    items = (await client.get("/api/v1/me/sessions", headers=alice.headers)).json()["items"]
    other = next(i["id"] for i in items if not i["current"])
    bobs = (await client.get("/api/v1/me/sessions", headers=bob.headers)).json()["items"][0]["id"]

    # Someone else's session id is not found, and stays signed in.
    r = await client.delete(f"/api/v1/me/sessions/{bobs}", headers=alice.headers)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert (await client.get("/api/v1/me", headers=bob.headers)).status_code == 200

    assert (await client.delete(f"/api/v1/me/sessions/{other}", headers=alice.headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=laptop)).status_code == 401
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
    assert (await client.delete(f"/api/v1/me/sessions/{other}", headers=alice.headers)).status_code == 404


async def test_signing_out_everywhere_else_keeps_this_session_and_api_tokens(client):
    alice = await register(client, "alice")
    phones = [{"Authorization": f"Bearer {(await login(client, 'alice')).json()['token']}"} for _ in range(3)]
    bot = (await client.post("/api/v1/me/tokens", headers=alice.headers, json={"name": "bot"})).json()["token"]
    assert (await client.delete("/api/v1/me/sessions", headers=alice.headers)).status_code == 204
    for phone in phones:
        assert (await client.get("/api/v1/me", headers=phone)).status_code == 401
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {bot}"})).status_code == 200
    items = (await client.get("/api/v1/me/sessions", headers=alice.headers)).json()["items"]
    assert [i["current"] for i in items] == [True]


async def test_a_cookie_session_ends_others_only_with_the_csrf_header(client):
    await register(client, "alice")
    other = {"Authorization": f"Bearer {(await login(client, 'alice')).json()['token']}"}
    r = await login(client, "alice")
    assert (await client.delete("/api/v1/me/sessions")).status_code == 403
    assert (await client.get("/api/v1/me", headers=other)).status_code == 200
    r = await client.delete("/api/v1/me/sessions", headers={"X-CSRF-Token": r.cookies["csrf_token"]})
    assert r.status_code == 204
    assert (await client.get("/api/v1/me", headers=other)).status_code == 401


async def test_a_session_in_use_still_ends_after_session_max_days(client):
    alice = await register(client, "alice")
    max_days = client.app.state.config.auth.session_max_days
    # Used every day: the sliding expiry is always ahead, but sign-in was max_days ago.
    await sql(client, f"UPDATE sessions SET created_at = created_at - {max_days * DAY_MS}, "
                      f"last_used_at = last_used_at - 61000")
    r = await client.get("/api/v1/me", headers=alice.headers)
    assert r.status_code == 401 and r.json()["code"] == "token_expired"


async def test_the_sliding_expiry_never_passes_session_max_days(client):
    alice = await register(client, "alice")
    auth = client.app.state.config.auth
    created = await sql_value(client, "SELECT created_at FROM sessions")
    assert await sql_value(client, "SELECT expires_at FROM sessions") == created + auth.session_days * DAY_MS
    # Signed in session_max_days - 1 days ago and used now: expires one day on, not session_days on.
    await sql(client, f"UPDATE sessions SET created_at = created_at - {(auth.session_max_days - 1) * DAY_MS}, "
                      f"last_used_at = last_used_at - 61000")
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
    expires = await sql_value(client, "SELECT expires_at FROM sessions")
    assert expires == created + DAY_MS, (expires - created) / DAY_MS


async def test_the_session_cookie_lives_no_longer_than_session_max_days(config_with):
    from litestar.testing import AsyncTestClient

    from chatd.app import create_app

    config = config_with(auth={"session_days": 30, "session_max_days": 7})
    async with AsyncTestClient(create_app(config)) as c:
        await register(c, "alice")
        cookies = (await login(c, "alice")).headers.get_list("set-cookie")
        assert cookies and all(f"Max-Age={7 * 86400}" in cookie for cookie in cookies)


async def test_sign_in_always_issues_a_new_unguessable_token(client):
    # A session id is never taken from the client (fixation): each sign-in mints its own.
    await register(client, "alice")
    first = (await login(client, "alice")).json()["token"]
    client.cookies.set("chatd_session", first)  # the browser already holds one
    second = (await login(client, "alice")).json()["token"]
    client.cookies.clear()
    assert first != second and len(second) == 43  # 32 random bytes, URL-safe base64
    for token in (first, second):
        assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200


async def test_a_token_in_the_url_is_never_read(client):
    import json

    import pytest
    from litestar.exceptions import WebSocketDisconnect

    alice = await register(client, "alice")
    assert (await client.get(f"/api/v1/me?token={alice.token}")).status_code == 401
    ws = await client.websocket_connect(f"/api/v1/ws?token={alice.token}&access_token={alice.token}",
                                        subprotocols=["chatd"])
    with ws:
        ws.send_text(json.dumps({"type": "ping"}))
        frame = json.loads(ws.receive_text(timeout=5))
        assert frame["type"] == "error" and frame["status"] == 401, frame
        with pytest.raises(WebSocketDisconnect):
            ws.receive_text(timeout=5)
