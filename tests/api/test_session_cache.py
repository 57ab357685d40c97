"""The per-process session cache (chatd/storage/session_cache.py): a signed-in
request reads the session once, and every change that ends or limits a
session takes effect on the very next request, even for a session whose
answer was cached a moment before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chatd import clock
from chatd.storage.sql.auth import SqlAuthStore
from tests.api.account_helpers import PASSWORD, login
from tests.conftest import register


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def db_lookups(monkeypatch):
    """How many session lookups reached the database."""
    calls: list[str] = []
    real = SqlAuthStore.lookup

    async def counted(self, token_hash):
        calls.append(token_hash)
        return await real(self, token_hash)

    monkeypatch.setattr(SqlAuthStore, "lookup", counted)
    return calls


async def test_requests_of_one_session_read_it_once(client, db_lookups):
    alice = await register(client, "alice")
    for _ in range(3):
        assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
    # With the cache on Redis (several processes) nothing is cached: every request reads.
    one_process = client.app.state.config.storage.cache == "memory"
    assert len(db_lookups) == (1 if one_process else 3)


async def test_sign_out_ends_a_cached_session_at_once(client):
    alice = await register(client, "alice")
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=alice.headers)).status_code == 204
    r = await client.get("/api/v1/me", headers=alice.headers)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"


async def test_revoking_a_session_in_me_sessions_ends_it_at_once(client):
    alice = await register(client, "alice")
    laptop = bearer((await login(client, "alice")).json()["token"])
    client.cookies.clear()
    assert (await client.get("/api/v1/me", headers=laptop)).status_code == 200  # cached now
    items = (await client.get("/api/v1/me/sessions", headers=alice.headers)).json()["items"]
    other = next(i["id"] for i in items if not i["current"])
    assert (await client.delete(f"/api/v1/me/sessions/{other}", headers=alice.headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=laptop)).status_code == 401
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200


async def test_signing_out_everywhere_else_ends_cached_sessions(client):
    alice = await register(client, "alice")
    phone = bearer((await login(client, "alice")).json()["token"])
    client.cookies.clear()
    assert (await client.get("/api/v1/me", headers=phone)).status_code == 200
    assert (await client.delete("/api/v1/me/sessions", headers=alice.headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=phone)).status_code == 401


async def test_revoking_an_api_token_ends_it_at_once(client):
    alice = await register(client, "alice")
    made = (await client.post("/api/v1/me/tokens", headers=alice.headers, json={"name": "bot"})).json()
    bot = bearer(made["token"])
    assert (await client.get("/api/v1/me", headers=bot)).status_code == 200
    assert (await client.delete(f"/api/v1/me/tokens/{made['id']}", headers=alice.headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=bot)).status_code == 401


async def test_disabling_a_user_locks_out_their_cached_session_at_once(client):
    admin = await register(client, "root")  # the first user is the admin
    bob = await register(client, "bob")
    assert (await client.get("/api/v1/me", headers=bob.headers)).status_code == 200
    assert (await client.post(f"/api/v1/admin/users/{bob.id}/disable", headers=admin.headers)).status_code == 200
    r = await client.get("/api/v1/me", headers=bob.headers)
    assert r.status_code == 403 and r.json()["code"] == "account_disabled"


async def test_a_new_role_applies_to_a_cached_session_at_once(client):
    admin = await register(client, "root")
    bob = await register(client, "bob")
    assert (await client.get("/api/v1/admin/stats", headers=bob.headers)).status_code == 403
    r = await client.put(f"/api/v1/admin/users/{bob.id}/role", json={"role": "admin"}, headers=admin.headers)
    assert r.status_code == 200
    assert (await client.get("/api/v1/admin/stats", headers=bob.headers)).status_code == 200
    r = await client.put(f"/api/v1/admin/users/{bob.id}/role", json={"role": "member"}, headers=admin.headers)
    assert r.status_code == 200
    assert (await client.get("/api/v1/admin/stats", headers=bob.headers)).status_code == 403


async def test_a_password_change_ends_the_other_cached_sessions_at_once(client):
    alice = await register(client, "alice")
    other = bearer((await login(client, "alice")).json()["token"])
    client.cookies.clear()
    assert (await client.get("/api/v1/me", headers=other)).status_code == 200
    r = await client.put("/api/v1/me/password", headers=alice.headers,
                         json={"current": PASSWORD, "new": "a brand new secret"})
    assert r.status_code == 204
    assert (await client.get("/api/v1/me", headers=other)).status_code == 401
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200


async def test_a_profile_change_is_seen_by_the_next_request(client):
    alice = await register(client, "alice")
    me = (await client.get("/api/v1/me", headers=alice.headers)).json()
    r = await client.patch("/api/v1/me", headers=alice.headers, json={"display_name": "Alice B", "version": me["version"]})
    assert r.status_code == 200, r.text
    assert (await client.get("/api/v1/me", headers=alice.headers)).json()["display_name"] == "Alice B"


async def test_a_cached_session_expires_on_time(client, monkeypatch):
    alice = await register(client, "alice")
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
    real_now = clock.now
    days = client.app.state.config.auth.session_days
    monkeypatch.setattr(clock, "now", lambda: real_now() + timedelta(days=days, minutes=1))
    r = await client.get("/api/v1/me", headers=alice.headers)
    assert r.status_code == 401 and r.json()["code"] == "token_expired"
