"""What a client types never forges a log line (ASVS 7.3.1): a username with
newlines or terminal escapes is logged escaped, on one line."""

from __future__ import annotations

import logging


async def test_a_username_cannot_forge_log_lines(client, caplog):
    forged = "mal\x1b[2Jlory\n2026-01-01T00:00:00.000Z INFO chatd.auth: signed in: account 'admin'"
    with caplog.at_level(logging.INFO, logger="chatd.auth"):
        r = await client.post("/api/v1/auth/login", json={"username": forged, "password": "not the password"})
    assert r.status_code == 401
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "chatd.auth"]
    assert lines and all("\n" not in line and "\x1b" not in line for line in lines), lines
    # (Usernames are lowercased, and at most 64 characters of them logged.)
    assert any("\\n2026-01-01t" in line and "\\x1b" in line for line in lines), lines
