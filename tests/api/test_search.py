"""GET /api/v1/search: only what the caller may read now, newest first, user
text never taken as query syntax, and the feature switch."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from tests.api.message_helpers import direct, group, send
from tests.conftest import register

SEARCH = "/api/v1/search"


@pytest.fixture
async def talk(client):
    ann, bob, eve = [await register(client, n) for n in ("ann", "bob", "eve")]
    ab = await direct(client, ann, bob)
    ae = await direct(client, ann, eve)
    m1 = await send(client, ab, ann, "Lunch at the café (near the station)?", client_id="m1")
    m2 = await send(client, ab, bob, "lunch sounds good — 12:30", client_id="m2")
    m3 = await send(client, ae, eve, "secret lunch plans with ann", client_id="m3")
    return ann, bob, eve, ab, ae, (m1, m2, m3)


async def ids(client, who, **params) -> list[str]:
    r = await client.get(SEARCH, params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    return [m["id"] for m in r.json()["items"]]


async def test_search_sees_only_own_conversations_newest_first(client, talk):
    ann, bob, eve, ab, ae, (m1, m2, m3) = talk
    assert await ids(client, bob, q="lunch") == [m2["id"], m1["id"]]
    assert set(await ids(client, ann, q="LUNCH")) == {m1["id"], m2["id"], m3["id"]}
    assert await ids(client, eve, q="lunch") == [m3["id"]]
    assert await ids(client, ann, q="lunch", conversation_id=ae) == [m3["id"]]
    assert await ids(client, ann, q="lunch", limit=1) == [(await ids(client, ann, q="lunch"))[0]]
    r = await client.get(SEARCH, params={"q": "lunch", "conversation_id": ae}, headers=bob.headers)
    assert r.status_code == 404 and r.json()["code"] == "conversation_not_found"
    assert await ids(client, bob, q="secret") == []


async def test_leaving_a_group_hides_its_messages(client):
    ann, bob = await register(client, "ann"), await register(client, "bob")
    conv = await group(client, ann, bob)
    await send(client, conv, ann, "quarterly numbers", client_id="q")
    assert len(await ids(client, bob, q="quarterly")) == 1
    r = await client.delete(f"/api/v1/conversations/{conv}/members/{bob.id}", headers=bob.headers)
    assert r.status_code == 204, r.text
    assert await ids(client, bob, q="quarterly") == []


@pytest.mark.parametrize("q", ['"', "*", "lunch*", "NEAR(lunch station)", "lunch -good", "(", ")", "lunch OR",
                               "AND", "body:lunch", "^lunch", "'; DROP TABLE messages; --", "\\", "🍔", "日本",
                               "café", "%", "_", "lunch" * 40])
async def test_tricky_queries_are_words(client, talk, q):
    ann = talk[0]
    r = await client.get(SEARCH, params={"q": q}, headers=ann.headers)
    assert r.status_code == 200, (q, r.text)


async def test_syntax_characters_only_match_as_words(client, talk):
    ann, bob, eve, ab, ae, (m1, m2, m3) = talk
    assert await ids(client, ann, q="(near the station)") == [m1["id"]]
    assert await ids(client, ann, q="near") == [m1["id"]]
    assert await ids(client, ann, q="lunch -good") == [m2["id"]]  # "-" is not NOT
    assert await ids(client, ann, q="café") == [m1["id"]]
    assert await ids(client, ann, q="*") == []


async def test_bad_searches(client, talk):
    ann = talk[0]
    for params, code in [({}, "empty_query"), ({"q": ""}, "empty_query"), ({"q": "   "}, "empty_query"),
                         ({"q": "\x00\x01"}, "empty_query"), ({"q": "x" * 300}, "query_too_long")]:
        r = await client.get(SEARCH, params=params, headers=ann.headers)
        assert r.status_code == 400 and r.json()["code"] == code, params
    for params in ({"q": "x", "limit": 0}, {"q": "x", "limit": 101}, {"q": "x", "limit": "many"}):
        r = await client.get(SEARCH, params=params, headers=ann.headers)
        assert r.status_code == 400, params
    assert (await client.get(SEARCH, params={"q": "lunch"})).status_code == 401


async def test_search_can_be_switched_off(config_with):
    async with AsyncTestClient(create_app(config_with(features={"search": False}))) as client:
        ann = await register(client, "ann")
        r = await client.get(SEARCH, params={"q": "lunch"}, headers=ann.headers)
        assert r.status_code == 404 and r.json()["code"] == "feature_disabled"
