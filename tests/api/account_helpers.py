"""Helpers for the account API tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from litestar.testing import AsyncTestClient
from tests.sql_handle import sql_db

PASSWORD = "correct horse battery"


async def in_app(client: AsyncTestClient, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """Run `fn(*args)` on the app's own event loop: the test client serves the
    app from a portal thread, and its database lives on that loop."""
    return await anyio.to_thread.run_sync(lambda: client.blocking_portal.call(fn, *args))


def services(client: AsyncTestClient) -> Any:
    return client.app.state.runtime.services


async def sql(client: AsyncTestClient, statement: str, *args: Any) -> Any:
    """One write statement on the app's database (to age sessions, invites...)."""
    stores = services(client).stores
    changed = await in_app(client, sql_db(stores).write, lambda c: c.execute(statement, *args))
    # Written past the stores, as another process would: forget the cached
    # sessions, as MAX_AGE_S later would (chatd/storage/session_cache.py).
    cache = getattr(stores.auth, "cache", None)
    if cache is not None:
        cache.clear()
    return changed


async def sql_value(client: AsyncTestClient, query: str, *args: Any) -> Any:
    db = sql_db(services(client).stores)
    return await in_app(client, db.read, lambda c: c.fetchval(query, *args))


async def login(client: AsyncTestClient, username: str, password: str = PASSWORD, **kw: Any):
    return await client.post("/api/v1/auth/login", json={"username": username, "password": password}, **kw)
