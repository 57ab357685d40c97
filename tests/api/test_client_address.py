"""Behind a trusted reverse proxy the client is the forwarded address: per-
address login limits and the loopback-only /metrics must use it."""

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app

# The test client's peer address is "testclient": here it plays the proxy.
PROXIED = {"trusted_proxies": ["testclient"]}
# Failed sign-ins (each to another name) from one address before it waits.
PER_ADDRESS = {"login_attempts_per_address_per_minute": 10}


@pytest.fixture
async def proxied(config_with):
    async with AsyncTestClient(create_app(config_with(server=PROXIED, auth=PER_ADDRESS))) as c:
        yield c


@pytest.fixture
async def direct(config_with):
    async with AsyncTestClient(create_app(config_with(auth=PER_ADDRESS))) as c:
        yield c


async def failed_logins(client, n, forwarded):
    codes = []
    for i in range(n):
        r = await client.post("/api/v1/auth/login", json={"username": f"nobody{forwarded}{i}", "password": "wrong pass"},
                              headers={"X-Forwarded-For": forwarded})
        codes.append(r.status_code)
    return codes


async def test_login_limit_counts_each_forwarded_client_apart(proxied):
    assert await failed_logins(proxied, 10, "203.0.113.7") == [401] * 10
    assert await failed_logins(proxied, 1, "203.0.113.7") == [429]
    # Another client behind the same proxy is not locked out with the first.
    assert await failed_logins(proxied, 1, "198.51.100.9") == [401]


async def test_without_a_trusted_proxy_forwarded_for_is_ignored(direct):
    assert await failed_logins(direct, 10, "203.0.113.7") == [401] * 10
    # A forged header does not buy a fresh allowance.
    assert await failed_logins(direct, 1, "198.51.100.9") == [429]


@pytest.mark.parametrize(
    ("forwarded", "status"),
    [("127.0.0.1", 200), ("8.8.8.8", 404), ("127.0.0.1, 8.8.8.8", 404), ("8.8.8.8, 127.0.0.1", 200)],
)
async def test_metrics_answer_only_a_forwarded_loopback_client(proxied, forwarded, status):
    r = await proxied.get("/metrics", headers={"X-Forwarded-For": forwarded})
    assert r.status_code == status
