"""Helpers for the GraphQL API tests: an app with the flag on, and a caller."""

from __future__ import annotations

from typing import Any

GQL = "/api/v1/graphql"


async def gql(client, who, query: str, expect_errors: bool | None = None, headers=None, **variables: Any) -> dict:
    r = await client.post(GQL, json={"query": query, "variables": variables},
                          headers=headers if headers is not None else who.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    if expect_errors is not None:
        assert bool(body.get("errors")) == expect_errors, body
    return body


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]
