"""Which backends a test pass runs on, in one place for the in-process app
(tests/conftest.py's `config`) and for real `chatd serve` processes
(tests/realtime/conftest.py's `start_server`).

CHATD_TEST_MESSAGES=mongo puts the conversation side on MongoDB
(tests/mongo_server.py), accounts staying in SQL. CHATD_TEST_CACHE=redis
puts presence, counters, fan-out and the membership cache on the shared test
Redis. CHATD_TEST_DATABASE=postgres puts the SQL side on PostgreSQL instead
of a SQLite file. `make test` runs tests/api and tests/realtime once under
each.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

MESSAGES_ON = os.environ.get("CHATD_TEST_MESSAGES", "database")
CACHE_ON = os.environ.get("CHATD_TEST_CACHE", "memory")
DATABASE_ON = os.environ.get("CHATD_TEST_DATABASE", "sqlite")

# Redis databases: 0 is the shared one (tests there use key prefixes, so it
# is never flushed), REDIS_PASS_DB is the in-process app's (flushed before
# each test), the rest go to served processes, one each while it lives.
REDIS_PASS_DB = 13
REDIS_SERVER_DBS = [n for n in range(1, 16) if n != REDIS_PASS_DB]
_redis_dbs_in_use: set[int] = set()


def _redis_url(request: pytest.FixtureRequest, db: int) -> str:
    """The shared test Redis, database `db`, flushed."""
    import redis

    shared = request.getfixturevalue("shared_redis_url")
    base = shared.rsplit("/", 1)[0] if shared.count("/") > 2 else shared
    url = f"{base}/{db}"
    with redis.Redis.from_url(url) as r:
        r.flushdb()
    return url


def app_storage(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> dict[str, Any]:
    """The [storage] entries of this pass for an in-process app: the
    session's PostgreSQL database emptied, a fresh MongoDB database, Redis
    database REDIS_PASS_DB flushed. Empty on the default pass."""
    from tests.conftest import sql_url
    from tests.mongo_server import mongo_url

    storage: dict[str, Any] = {}
    if DATABASE_ON == "postgres":
        storage["database"] = sql_url("postgres", request, tmp_path, sqlite_template)
    if MESSAGES_ON == "mongo":
        storage["messages"] = mongo_url(request.getfixturevalue("mongo_server"))
    if CACHE_ON == "redis":
        storage["cache"] = _redis_url(request, REDIS_PASS_DB)
    return storage


def server_storage(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The [storage] entries of this pass for one served process, each store
    its own: a new PostgreSQL database (the server migrates it at start), a
    new MongoDB database, a free Redis database flushed. All are dropped or
    released when `request`'s scope ends (a module-scoped fixture's request:
    after the module), after the fixture's own teardown has stopped the server."""
    storage: dict[str, Any] = {}
    if DATABASE_ON == "postgres":
        storage["database"], drop = new_postgres_database()
        request.addfinalizer(drop)
    if MESSAGES_ON == "mongo":
        from tests.mongo_server import drop_mongo_database, mongo_url

        mongo = storage["messages"] = mongo_url(request.getfixturevalue("mongo_server"))
        name = mongo.split("/")[3].split("?")[0]
        request.addfinalizer(lambda: asyncio.run(drop_mongo_database(mongo, name)))
    if CACHE_ON == "redis":
        free = [n for n in REDIS_SERVER_DBS if n not in _redis_dbs_in_use]
        assert free, f"more than {len(REDIS_SERVER_DBS)} served processes at once on the Redis pass"
        _redis_dbs_in_use.add(free[0])
        storage["cache"] = _redis_url(request, free[0])
        request.addfinalizer(lambda: _redis_dbs_in_use.discard(free[0]))
    return storage


def new_postgres_database() -> tuple[str, Any]:
    """(URL of a new, empty database, a function that drops it)."""
    import asyncpg

    from tests.conftest import PG_ADMIN_URL, need_server

    name = f"chatd_test_{uuid.uuid4().hex[:10]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    try:
        asyncio.run(run(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError) as err:
        need_server(f"PostgreSQL at {PG_ADMIN_URL}", err)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    return url, lambda: asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
