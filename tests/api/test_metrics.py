"""/metrics is for local scrapers only (the served test in tests/e2e reads it)."""

from tests.conftest import register


async def test_metrics_are_hidden_from_non_loopback_clients(client):
    await register(client, "alice")
    r = await client.get("/metrics")  # the test client's address is "testclient"
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
