"""Refused actions of a caller are logged for the administrator (ASVS
7.2.2): a 403 names the route, the code and the account, never a secret;
so do a non-member's 404s and an admin's reads (8.3.5)."""

from __future__ import annotations

import logging

from chatd.flags import FLAGS
from tests.api.account_helpers import login
from tests.api.message_helpers import CONV, MSG, direct, send
from tests.conftest import register
from tests.media.helpers import ATT, upload


async def test_forbidden_actions_are_logged_with_their_account(client, caplog):
    admin = await register(client, "root")
    bob = await register(client, "bob")
    r = await login(client, "bob")
    with caplog.at_level(logging.INFO, logger="chatd.access"):
        assert (await client.get("/api/v1/admin/users", headers=bob.headers)).status_code == 403
        assert (await client.patch("/api/v1/me", json={"version": 1, "bio": "x"})).status_code == 403  # no CSRF header
        assert (await client.get("/api/v1/admin/users", headers=admin.headers)).status_code == 200
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "chatd.access"]
    assert len(lines) == 3, lines  # the admin's read is the third (below)
    assert "GET /api/v1/admin/users: admin_only; account 'bob'" in lines[0]
    assert "PATCH /api/v1/me: csrf_failed" in lines[1]
    assert lines[2].startswith("admin read: ")
    assert not any(bob.token in line or r.cookies["chatd_session"] in line for line in lines)


def access_lines(caplog) -> list[logging.LogRecord]:
    return [rec for rec in caplog.records if rec.name == "chatd.access"]


async def test_a_non_members_404s_are_logged_with_user_and_resource(client, caplog):
    """ASVS 7.2.2: another's conversation, its messages or an attachment
    answer 404 (as for what does not exist) and leave one INFO line with
    the caller's id and the id asked for; a member's reads leave none."""
    alice, bob, eve = [await register(client, n) for n in ("alice", "bob", "eve")]
    conv = await direct(client, alice, bob)
    message = await send(client, conv, alice)
    attachment = await upload(client, conv, alice, b"notes")
    asked = [("conversation", conv, f"{CONV}/{conv}"), ("conversation", conv, f"{CONV}/{conv}/messages"),
             ("message", message["id"], f"{MSG}/{message['id']}"),
             ("attachment", attachment["id"], f"{ATT}/{attachment['id']}")]
    with caplog.at_level(logging.INFO, logger="chatd.access"):
        for _, _, path in asked:
            assert (await client.get(path, headers=alice.headers)).status_code == 200
        assert access_lines(caplog) == []
        for _, _, path in asked:
            assert (await client.get(path, headers=eve.headers)).status_code == 404
    records = access_lines(caplog)
    assert [rec.levelno for rec in records] == [logging.INFO] * len(asked)
    for rec, (kind, resource, path) in zip(records, asked):
        assert rec.getMessage() == f"not found for user {eve.id} ('eve'): {kind} '{resource}' (GET {path})"
        assert eve.token not in rec.getMessage()


async def test_admin_reads_are_logged_without_what_they_read(client, caplog):
    """ASVS 8.3.5: an admin reading the account list, invites, stats or
    feature flags leaves an INFO line with the admin's id and what was read;
    never the rows (an invite's code, a token)."""
    root = await register(client, "root")
    await register(client, "bob")
    code = (await client.post("/api/v1/admin/invites", json={}, headers=root.headers)).json()["code"]
    with caplog.at_level(logging.INFO, logger="chatd.access"):
        for path in ("/api/v1/admin/users?q=bo&limit=5", "/api/v1/admin/invites", "/api/v1/admin/stats",
                     "/api/v1/admin/features"):
            assert (await client.get(path, headers=root.headers)).status_code == 200
    lines = [rec.getMessage() for rec in access_lines(caplog)]
    assert lines == [f"admin read: user {root.id} ('root') read users q='bo' after='' limit=5: 1 items",
                     f"admin read: user {root.id} ('root') read invites: 1 items",
                     f"admin read: user {root.id} ('root') read stats",
                     f"admin read: user {root.id} ('root') read feature flags: {len(FLAGS)} items"]
    assert not any(code in line or root.token in line for line in lines)
