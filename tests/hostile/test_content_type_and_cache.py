"""A JSON body must be declared as JSON (415 otherwise), and no /api answer
may be kept by a cache (ASVS 13.1.5, 8.2.1, 8.3.1).

text/plain and form encodings are what a page on another site can post
without a CORS preflight: chatd refuses them before reading the body, and
nothing changes."""

from __future__ import annotations

import pytest

from tests.api.account_helpers import PASSWORD
from tests.api.message_helpers import CONV, direct
from tests.conftest import register

REGISTER = b'{"username": "mallory", "password": "%s"}' % PASSWORD.encode()
NOT_JSON = ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data",
            None]


def assert_415(r) -> None:
    assert r.status_code == 415, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize("kind", NOT_JSON)
async def test_a_json_body_under_another_content_type_is_415_and_creates_nothing(client, kind):
    headers = {"content-type": kind} if kind else {}
    assert_415(await client.post("/api/v1/auth/register", content=REGISTER, headers=headers))
    r = await client.post("/api/v1/auth/login", json={"username": "mallory", "password": PASSWORD})
    assert r.status_code == 401


async def test_a_message_posted_as_text_plain_is_415_and_not_sent(client):
    alice = await register(client, "alice")
    bob = await register(client, "bob")
    conv = await direct(client, alice, bob)
    body = b'{"client_id": "c1", "body": "hello"}'
    r = await client.post(f"{CONV}/{conv}/messages", content=body, headers={**alice.headers, "content-type": "text/plain"})
    assert_415(r)
    history = (await client.get(f"{CONV}/{conv}/messages", headers=alice.headers)).json()
    assert history["items"] == []


@pytest.mark.parametrize("kind", ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"])
async def test_json_types_are_accepted(client, kind):
    r = await client.post("/api/v1/auth/register", content=REGISTER, headers={"content-type": kind})
    assert r.status_code == 201, r.text


async def test_every_route_with_a_json_body_declares_415(client):
    spec = (await client.get("/schema/openapi.json")).json()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "requestBody" in op and "application/json" in op["requestBody"]["content"]:
                assert "415" in op["responses"], (method, path)


async def test_api_answers_are_never_cached(client):
    alice = await register(client, "alice")
    for r in [await client.get("/api/v1/me", headers=alice.headers),
              await client.get("/api/v1/me"),  # errors too
              await client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD}),
              await client.get("/api/v1/me/tokens", headers=alice.headers)]:
        assert r.headers["cache-control"] == "no-store", (r.request.url, r.headers)
    # The web shell keeps its own revalidating policy.
    assert (await client.get("/")).headers["cache-control"] == "no-cache"


async def test_api_json_is_a_download_when_opened_in_a_tab(client):
    alice = await register(client, "alice")
    for r in [await client.get("/api/v1/me", headers=alice.headers), await client.get("/api/v1/me")]:
        assert r.headers["content-disposition"] == 'attachment; filename="api.json"'
    shell = await client.get("/")
    assert shell.headers["content-disposition"].startswith("inline")
    assert shell.headers["content-type"] == "text/html; charset=utf-8"  # once (ASVS 14.4.1)


async def test_no_other_origin_is_allowed_to_read_answers(client):
    # No CORS: a page elsewhere can neither read an answer nor preflight a write.
    alice = await register(client, "alice")
    r = await client.get("/api/v1/me", headers={**alice.headers, "Origin": "https://evil.example"})
    assert r.status_code == 200 and not any(h.startswith("access-control-") for h in r.headers)
    r = await client.options("/api/v1/me", headers={"Origin": "https://evil.example",
                                                    "Access-Control-Request-Method": "PATCH"})
    assert not any(h.startswith("access-control-") for h in r.headers)


async def test_a_graphql_request_as_text_plain_is_415(tmp_path, sqlite_template):
    import shutil

    from litestar.testing import AsyncTestClient

    from chatd.app import create_app
    from tests.conftest import make_config

    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    config = make_config(tmp_path, features={"graphql": True})
    async with AsyncTestClient(create_app(config)) as c:
        ann = await register(c, "ann")
        query = b'{"query": "mutation { updateMe(displayName: \\"pwned\\", version: 1) { id } }"}'
        assert_415(await c.post("/api/v1/graphql", content=query, headers={**ann.headers, "content-type": "text/plain"}))
        assert (await c.get("/api/v1/me", headers=ann.headers)).json()["display_name"] == "ann"
        r = await c.post("/api/v1/graphql", json={"query": "{ me { username } }"}, headers=ann.headers)
        assert r.status_code == 200 and r.json()["data"]["me"]["username"] == "ann"
