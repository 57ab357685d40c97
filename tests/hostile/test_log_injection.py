"""What a client types never forges a log line (ASVS 7.3.1): a username with
newlines or terminal escapes is logged escaped, on one line."""

from __future__ import annotations

import logging

from tests.api.account_helpers import login
from tests.conftest import register


async def test_a_username_cannot_forge_log_lines(client, caplog):
    forged = "mal\x1b[2Jlory\n2026-01-01T00:00:00.000Z INFO chatd.auth: signed in: account 'admin'"
    with caplog.at_level(logging.INFO, logger="chatd.auth"):
        r = await client.post("/api/v1/auth/login", json={"username": forged, "password": "not the password"})
    assert r.status_code == 401
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "chatd.auth"]
    assert lines and all("\n" not in line and "\x1b" not in line for line in lines), lines
    # (Usernames are lowercased, and at most 64 characters of them logged.)
    assert any("\\n2026-01-01t" in line and "\\x1b" in line for line in lines), lines


async def test_a_path_cannot_forge_access_log_lines(client, caplog):
    """A `%0A` in a URL arrives decoded in the path: the access log escapes it,
    in a 403 line (CSRF is checked before the route's id) and a 404 line."""
    alice = await register(client, "alice")
    await login(client, "alice")  # the client now holds a session cookie
    forged = "/api/v1/conversations/x%0A2026-01-01T00:00:00.000Z%20WARNING%20chatd.access:%20forged"
    with caplog.at_level(logging.INFO, logger="chatd.access"):
        assert (await client.get(forged, headers=alice.headers)).status_code == 404
        assert (await client.patch(forged, json={"title": "x", "version": 1})).status_code == 403
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "chatd.access"]
    assert len(lines) == 2 and all("\n" not in line for line in lines), lines
    assert all("x\\n2026-01-01T00:00:00.000Z WARNING" in line for line in lines), lines
