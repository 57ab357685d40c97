"""Refused actions of a caller are logged for the administrator (ASVS
7.2.2): a 403 names the route, the code and the account, never a secret."""

from __future__ import annotations

import logging

from tests.api.account_helpers import login
from tests.conftest import register


async def test_forbidden_actions_are_logged_with_their_account(client, caplog):
    admin = await register(client, "root")
    bob = await register(client, "bob")
    r = await login(client, "bob")
    with caplog.at_level(logging.INFO, logger="chatd.access"):
        assert (await client.get("/api/v1/admin/users", headers=bob.headers)).status_code == 403
        assert (await client.patch("/api/v1/me", json={"version": 1, "bio": "x"})).status_code == 403  # no CSRF header
        assert (await client.get("/api/v1/admin/users", headers=admin.headers)).status_code == 200
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "chatd.access"]
    assert len(lines) == 2, lines
    assert "GET /api/v1/admin/users: admin_only; account 'bob'" in lines[0]
    assert "PATCH /api/v1/me: csrf_failed" in lines[1]
    assert not any(bob.token in line or r.cookies["chatd_session"] in line for line in lines)
