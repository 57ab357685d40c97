"""Shared fixtures: databases on both engines, a served app, user helpers.

PostgreSQL tests need a real server (CHATD_TEST_POSTGRES, default
postgresql://postgres@127.0.0.1:5432/postgres). Locally an unreachable server
skips those tests with the reason printed; with CI=true it fails them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.config import Config, parse
from chatd.storage.build import Stores, open_stores
from chatd.storage.sql.migrate import migrate
from tests.backends import app_storage, new_postgres_database
from tests.mongo_server import drop_mongo_database, mongo_server, mongo_url  # noqa: F401
from tests.redis_server import redis_conn, redis_server, shared_redis_url  # noqa: F401
from tests.s3_server import s3_location, s3_media_settings, s3_media_url, s3_server  # noqa: F401

# Tiny argon2 parameters: registration in tests must not cost 64 MiB and 50 ms.
os.environ.setdefault("CHATD_ARGON2_FAST", "1")

PG_ADMIN_URL = os.environ.get("CHATD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
TABLES = ["feature_flags", "reactions", "attachments", "messages", "members", "conversations", "contacts", "invites",
          "sessions", "device_keys", "key_backups", "recovery_codes", "totp_factors", "webauthn_credentials",
          "security_events", "sign_in_places", "users", "events", "server_settings"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def need_server(what: str, err: BaseException) -> None:
    message = f"{what} is not reachable ({type(err).__name__}: {err})"
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for every test (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "chatd.db"
    asyncio.run(migrate(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated database for this test session; dropped at the end."""
    url, drop = new_postgres_database()
    asyncio.run(migrate(url))
    yield url
    drop()


async def _truncate(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A clean, migrated database on each engine."""
    return sql_url(request.param, request, tmp_path, sqlite_template)


def make_config(tmp_path: Path, database_url: str | None = None, **sections: dict[str, Any]) -> Config:
    raw: dict[str, Any] = {
        "server": {"data_dir": str(tmp_path)},
        "storage": {"database": database_url or f"sqlite:///{tmp_path}/chatd.db", "media": f"file:///{tmp_path}/media"},
    }
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    return parse(raw, {})


@pytest.fixture
async def stores(database_url: str, tmp_path: Path) -> AsyncIterator[Stores]:
    """Stores on each engine (contract tests of the storage ports)."""
    s = await open_stores(make_config(tmp_path, database_url), run_migrations=False)
    try:
        yield s
    finally:
        await s.close()


# Adapters of the conversation side (conversations, members, messages,
# reactions, attachment metadata, the event log). The contract suites of those
# ports take `message_stores` and seed and read only through the ports, so
# every adapter listed here runs the same tests.
MESSAGE_ADAPTERS = ["sqlite", "postgres", "mongo"]


def sql_url(engine: str, request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A clean, migrated database on `engine` ("sqlite" or "postgres")."""
    if engine == "sqlite":
        target = tmp_path / "chatd.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("postgres_url")
    asyncio.run(_truncate(url))
    return url


@pytest.fixture(params=MESSAGE_ADAPTERS)
def message_config(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Config:
    """A config whose conversation side is on each adapter (accounts on SQL;
    "mongo": SQLite for them, a fresh database on tests/mongo_server.py's)."""
    if request.param == "mongo":
        url = mongo_url(request.getfixturevalue("mongo_server"))
        return make_config(tmp_path, sql_url("sqlite", request, tmp_path, sqlite_template), storage={"messages": url})
    return make_config(tmp_path, sql_url(request.param, request, tmp_path, sqlite_template))


@pytest.fixture
async def message_stores(message_config: Config) -> AsyncIterator[Stores]:
    s = await open_stores(message_config, run_migrations=False)
    try:
        yield s
    finally:
        mongo = s.backends.get("messages")
        await s.close()  # first: a relay transaction still open would hold up the drop
        if mongo is not None:
            await drop_mongo_database(mongo.url, mongo.db.name)


@pytest.fixture
def config_with(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Callable[..., Config]:
    """Builds app configs with given sections replaced, on a fresh SQLite file
    or on this pass's backends (tests/backends.py)."""
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    storage = app_storage(request, tmp_path, sqlite_template)

    def build(**sections: dict[str, Any]) -> Config:
        return make_config(tmp_path, **{**sections, "storage": {**storage, **sections.get("storage", {})}})

    return build


@pytest.fixture
def config(config_with: Callable[..., Config]) -> Config:
    """An app config (API tests); tests may replace sections."""
    return config_with()


@pytest.fixture
async def client(config: Config) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(create_app(config)) as c:
        yield c


class Account:
    """A registered user and the bearer header that acts as them."""

    def __init__(self, user: dict[str, Any], token: str):
        self.user = user
        self.id: str = user["id"]
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}


async def register(client: AsyncTestClient, username: str, password: str = "correct horse battery", **extra: Any) -> Account:
    r = await client.post("/api/v1/auth/register", json={"username": username, "password": password, **extra})
    assert r.status_code == 201, r.text
    body = r.json()
    return Account(body["user"], body["token"])

