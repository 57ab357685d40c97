"""Rules that a deliberate bug once broke with the whole suite green: CSRF
on a cookie-session DELETE, and an API token's expiry that must not slide
when the token is used (a login session's does)."""

from __future__ import annotations

from tests.api.account_helpers import login, sql, sql_value
from tests.conftest import register


async def test_a_cookie_session_delete_needs_the_csrf_header(client):
    alice = await register(client, "alice")
    token_id = (await client.post("/api/v1/me/tokens", json={"name": "bot"}, headers=alice.headers)).json()["id"]
    csrf = (await login(client, "alice")).cookies["csrf_token"]
    r = await client.delete(f"/api/v1/me/tokens/{token_id}")  # the cookie rides along, no header
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = await client.delete(f"/api/v1/me/tokens/{token_id}", headers={"X-CSRF-Token": "0" * len(csrf)})
    assert r.status_code == 403
    assert await sql_value(client, "SELECT count(*) FROM sessions WHERE id = $1", token_id) == 1
    r = await client.delete(f"/api/v1/me/tokens/{token_id}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert await sql_value(client, "SELECT count(*) FROM sessions WHERE id = $1", token_id) == 0


async def test_an_api_tokens_expiry_does_not_slide_when_used(client):
    alice = await register(client, "alice")
    made = (await client.post("/api/v1/me/tokens", json={"name": "bot", "expires_days": 2},
                              headers=alice.headers)).json()
    bot = {"Authorization": f"Bearer {made['token']}"}

    def expiry(kind: str):
        return sql_value(client, "SELECT expires_at FROM sessions WHERE kind = $1", kind)

    token_expires, session_expires = await expiry("token"), await expiry("session")
    # A day has passed since both were last used: the next use is written down.
    await sql(client, "UPDATE sessions SET last_used_at = last_used_at - 86400000")
    assert (await client.get("/api/v1/me", headers=bot)).status_code == 200
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
    assert await expiry("token") == token_expires  # fixed when it was made
    assert await expiry("session") > session_expires  # a login session in use slides
    # And once past it, the token is refused whatever its use.
    await sql(client, "UPDATE sessions SET expires_at = $1 WHERE kind = 'token'", 1)
    r = await client.get("/api/v1/me", headers=bot)
    assert r.status_code == 401 and r.json()["code"] == "token_expired"
