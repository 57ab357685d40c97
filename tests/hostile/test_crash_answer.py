"""An unexpected error answers a generic 500 problem document with an
incident id, and the log holds the stack trace under the same id (ASVS
7.4.1, 7.4.3): nothing internal reaches the client."""

from __future__ import annotations

import logging

from tests.api.account_helpers import services
from tests.conftest import register


async def test_an_unexpected_error_is_a_generic_500_with_an_incident_id(client, caplog, monkeypatch):
    alice = await register(client, "alice")

    async def broken(*_args, **_kwargs):
        raise RuntimeError("internal detail: /var/lib/chatd/chatd.db row 42")

    monkeypatch.setattr(services(client).accounts, "search", broken)
    with caplog.at_level(logging.ERROR, logger="chatd"):
        r = await client.get("/api/v1/users", params={"q": "a"}, headers=alice.headers)
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "internal" and len(body["incident"]) == 26 and body["incident"] in body["detail"]
    assert "internal detail" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text
    logged = [rec for rec in caplog.records if body["incident"] in rec.getMessage()]
    assert logged and logged[0].exc_info and "row 42" in str(logged[0].exc_info[1])
    # The server goes on.
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
