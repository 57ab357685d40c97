"""A parameter sent twice cannot slip past its validation (ASVS 5.1.1):
whichever copy is used is checked, and a value from another source (body,
header, cookie) never stands in for a query parameter."""

from __future__ import annotations

import pytest

from tests.conftest import register


@pytest.mark.parametrize("query", ["limit=5&limit=100000", "limit=100000&limit=5", "limit=5&limit=abc",
                                   "q=a&q=" + "x" * 100])
async def test_a_repeated_query_parameter_is_validated_or_refused(client, query):
    alice = await register(client, "alice")
    for i in range(60):
        await register(client, f"al{i:02d}")
    r = await client.get(f"/api/v1/users?{query}", headers=alice.headers)
    if r.status_code == 200:
        assert len(r.json()["items"]) <= 50  # never more than the documented maximum
    else:
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json", r.text


async def test_a_query_parameter_is_never_read_from_the_body_or_a_header(client):
    alice = await register(client, "alice")
    for i in range(30):
        await register(client, f"al{i:02d}")
    r = await client.request("GET", "/api/v1/users", headers={**alice.headers, "limit": "50"})
    assert r.status_code == 200 and len(r.json()["items"]) == 20  # the default
