"""What a request that needs an absent store must get: 503 problem details
naming the store, with Retry-After, within a bounded time."""

from __future__ import annotations

import time

from litestar.testing import AsyncTestClient


async def assert_away(c: AsyncTestClient, store: str, method: str, path: str, *, within: float, **kw) -> None:
    started = time.monotonic()
    r = await c.request(method, path, **kw)
    assert r.status_code == 503, (path, r.status_code, r.text)
    body = r.json()
    assert (body["code"], body["store"]) == ("store_unavailable", store), body
    assert r.headers["content-type"].startswith("application/problem+json") and r.headers["retry-after"]
    assert time.monotonic() - started < within  # bounded, never a hang
