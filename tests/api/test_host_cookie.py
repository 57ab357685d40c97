"""With an https public_url the session cookie is `__Host-chatd_session`
(ASVS 3.4.4): Secure, Path=/, no Domain, and a cookie planted under the plain
name (by a sibling subdomain or a plain-http page) is never read. Ending a
session from /me/sessions closes its live socket too."""

from __future__ import annotations

import json

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.realtime import reader
from chatd.realtime.auth import SUBPROTOCOL
from tests.api.account_helpers import PASSWORD
from tests.conftest import register

SITE = "https://chat.example.org"


@pytest.fixture
async def https_client(config_with):
    async with AsyncTestClient(create_app(config_with(server={"public_url": SITE})),
                               base_url=SITE) as c:
        yield c


async def test_https_sites_name_the_session_cookie_host_only(https_client):
    c = https_client
    await register(c, "alice")
    r = await c.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
    session = next(v for v in r.headers.get_list("set-cookie") if v.startswith("__Host-chatd_session="))
    assert "Secure" in session and "Path=/" in session and "Domain" not in session and "HttpOnly" in session
    assert not any(v.startswith("chatd_session=") for v in r.headers.get_list("set-cookie"))
    token = r.cookies["__Host-chatd_session"]
    c.cookies.clear()

    c.cookies.set("__Host-chatd_session", token)
    assert (await c.get("/api/v1/me")).json()["username"] == "alice"
    c.cookies.clear()
    # The plain name is what a sibling subdomain could plant: it signs nobody in.
    c.cookies.set("chatd_session", token)
    assert (await c.get("/api/v1/me")).status_code == 401


async def test_https_logout_clears_the_host_cookie(https_client):
    c = https_client
    await register(c, "alice")
    r = await c.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
    r = await c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": r.cookies["csrf_token"]})
    assert r.status_code == 204
    assert any(v.startswith("__Host-chatd_session=") and "Max-Age=0" in v and "Secure" in v
               for v in r.headers.get_list("set-cookie"))


async def test_plain_http_sites_keep_the_plain_name(client):
    await register(client, "alice")
    r = await client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.cookies.get("chatd_session") and "__Host-chatd_session" not in r.cookies


async def test_a_socket_on_the_host_cookie_closes_when_its_session_is_ended(https_client, monkeypatch):
    monkeypatch.setattr(reader, "REAUTH_EVERY", 0.2)
    c = https_client
    alice = await register(c, "alice")
    r = await c.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
    cookie = f"__Host-chatd_session={r.cookies['__Host-chatd_session']}"
    c.cookies.clear()
    # (The test client offers an empty subprotocol unless told one.)
    ws = await c.websocket_connect("/api/v1/ws", headers={"cookie": cookie, "origin": SITE}, subprotocols=[SUBPROTOCOL])
    with ws:
        first = json.loads(ws.receive_text(timeout=5))
        assert first["type"] == "hello", first
        assert json.loads(ws.receive_text(timeout=5))["type"] == "ready"
        items = (await c.get("/api/v1/me/sessions", headers=alice.headers)).json()["items"]
        laptop = next(i["id"] for i in items if not i["current"])
        assert (await c.delete(f"/api/v1/me/sessions/{laptop}", headers=alice.headers)).status_code == 204
        error = json.loads(ws.receive_text(timeout=5))
        if error["type"] == "security.activity":  # the account's devices hear of the ending (may come first)
            error = json.loads(ws.receive_text(timeout=5))
        assert error["type"] == "error" and error["status"] == 401
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text(timeout=5)
        assert closed.value.code == 4401
