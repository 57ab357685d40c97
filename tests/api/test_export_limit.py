"""GET /api/v1/me/export is limited per user: one running at a time and
limits.exports_per_hour a clock hour (429 problem details with Retry-After),
with the counters in memory and in Redis (docs/api.md, "Rate limits")."""

from __future__ import annotations

import asyncio
import time

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from tests.api.account_helpers import in_app, services
from tests.backends import REDIS_PASS_DB, _redis_url
from tests.conftest import register

EXPORT = "/api/v1/me/export"

pytestmark = pytest.mark.one_backend  # both caches here, whatever the pass


@pytest.fixture(params=["memory", "redis"])
async def client(request, config_with):
    cache = "memory" if request.param == "memory" else _redis_url(request, REDIS_PASS_DB)
    config = config_with(storage={"cache": cache}, limits={"exports_per_hour": 2})
    async with AsyncTestClient(create_app(config)) as c:
        yield c


def assert_limited(r, code: str, most: int) -> None:
    assert r.status_code == 429, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == code
    assert r.headers["retry-after"] == str(body["retry_after"])
    assert 1 <= body["retry_after"] <= most


async def test_a_few_exports_an_hour_then_429_for_that_user_only(client):
    left = 3600 - time.time() % 3600  # the windows are clock hours: not across one's end
    if left < 10:
        await asyncio.sleep(left + 0.1)
    ann, bob = await register(client, "ann"), await register(client, "bob")
    for _ in range(2):
        assert (await client.get(EXPORT, headers=ann.headers)).status_code == 200
    assert_limited(await client.get(EXPORT, headers=ann.headers), "export_rate_limited", 3600)
    # Another account has its own budget.
    assert (await client.get(EXPORT, headers=bob.headers)).status_code == 200


async def test_one_export_at_a_time(client):
    ann = await register(client, "ann")
    me = await in_app(client, services(client).stores.users.get, ann.id)
    export = services(client).account_export

    async def start():
        chunks = await export.open(me, None)
        return chunks, await anext(chunks)  # streaming, not finished

    chunks, first = await in_app(client, start)
    assert first.startswith(b'{"format":"chatd-export"')
    assert_limited(await client.get(EXPORT, headers=ann.headers), "export_running", 60)
    await in_app(client, chunks.aclose)  # the client went away: it no longer runs
    r = await client.get(EXPORT, headers=ann.headers)
    assert r.status_code == 200 and r.json()["format"] == "chatd-export"


async def test_the_limit_is_declared_in_openapi(client):
    doc = (await client.get("/schema/openapi.json")).json()
    responses = doc["paths"]["/api/v1/me/export"]["get"]["responses"]
    assert "429" in responses
