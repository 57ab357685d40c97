"""An id carrying a NUL character (U+0000) is bad input on every engine:
SQLite looks it up and finds nothing, PostgreSQL cannot hold NUL in text at
all (its error was a 500, found by the PostgreSQL pass of the GraphQL fuzzer)."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from chatd.app import create_app
from tests.conftest import register


async def test_an_id_with_a_nul_is_refused_not_a_500(config_with, database_url):
    async with AsyncTestClient(create_app(config_with(storage={"database": database_url}))) as client:
        ann = await register(client, "ann")
        calls = [
            ("POST", "/api/v1/conversations", {"kind": "group", "title": "t", "member_ids": ["x\x00"]}),
            ("POST", "/api/v1/conversations", {"kind": "direct", "user_id": "\x00"}),
            ("GET", "/api/v1/conversations/%00", None),
            ("GET", "/api/v1/users/%00", None),
            ("POST", "/api/v1/contacts/%00/block", None),
        ]
        for method, path, body in calls:
            r = await client.request(method, path, json=body, headers=ann.headers)
            assert r.status_code in (400, 404), (method, path, r.status_code, r.text)
            assert r.headers["content-type"].startswith("application/problem+json"), (path, r.headers)
