"""The Redis password rotated under a running chatd (ASVS 2.10.1, 6.4.1):
storage.cache comes from a file, and each new Redis connection asks it for
the user name and password (ACL users). Connections open before
`ACL SETUSER ... resetpass` keep working (Redis does not close them); those
opened after it use the file's new password. A wrong one is a clean 503
naming the store, and /readyz says CredentialsRefused."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from redis import Redis

from chatd.app import create_app
from chatd.bench.redis_server import RedisServer
from tests.api.message_helpers import CONV, group, send
from tests.conftest import register
from tests.rotation.conftest import file_config, write_secret
from tests.store_tls.conftest import chatd_log
from tests.stores_away.helpers import assert_away


def chatd_url(server: RedisServer, password: str) -> str:
    return f"redis://chatd:{password}@127.0.0.1:{server.port}/0"


def redis_admin(server: RedisServer, *command: str) -> object:
    with Redis(host="127.0.0.1", port=server.port) as admin:  # the default user: no password on the test server
        return admin.execute_command(*command)


def set_password(server: RedisServer, password: str) -> None:
    redis_admin(server, "ACL", "SETUSER", "chatd", "on", "resetpass", f">{password}", "~*", "&*", "+@all")


def cut_chatd_off(server: RedisServer) -> int:
    return int(redis_admin(server, "CLIENT", "KILL", "USER", "chatd"))


async def test_a_rotated_redis_password_reaches_new_connections(acl_redis: RedisServer, tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    set_password(acl_redis, "password-A")
    secret = tmp_path / "cache-url"
    write_secret(secret, chatd_url(acl_redis, "password-A"))
    config = file_config(tmp_path, "cache", secret, cache="memory")
    async with AsyncTestClient(create_app(config)) as c:
        ann, bob = await register(c, "ann"), await register(c, "bob")
        conv = await group(c, ann, bob)
        await send(c, conv, ann, "before")

        set_password(acl_redis, "password-B")
        await send(c, conv, ann, "open connections keep their login")
        write_secret(secret, chatd_url(acl_redis, "password-B"))
        assert cut_chatd_off(acl_redis) >= 1
        await send(c, conv, ann, "after B")
        assert (await c.get("/readyz")).json() == {"status": "ready"}
        clients = str(redis_admin(acl_redis, "CLIENT", "LIST"))
        assert "user=chatd" in clients  # the new connections logged in as chatd, with B

        set_password(acl_redis, "password-C")  # the file still says B
        cut_chatd_off(acl_redis)
        with chatd_log(caplog) as records:
            await assert_away(c, "redis", "POST", f"{CONV}/{conv}/messages", within=8, headers=ann.headers,
                              json={"client_id": "c1", "body": "x"})
            ready = await c.get("/readyz")
        assert (ready.status_code, ready.json()["failed"]) == (503, {"cache": "CredentialsRefused"})
        said = [rec.getMessage() for rec in records if rec.name.startswith("chatd") and "credentials" in rec.getMessage()]
        assert len(said) == 1 and said[0].startswith("storage.cache (Redis) refused chatd's credentials"), said
        assert "password-" not in " ".join(rec.getMessage() for rec in records)

        write_secret(secret, chatd_url(acl_redis, "password-C"))
        assert (await c.get("/readyz")).json() == {"status": "ready"}
        await send(c, conv, ann, "after C", client_id="c1")
