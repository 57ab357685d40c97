async def test_health_and_problem_details(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    r = await client.get("/no/such/path")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "not_found"


async def test_readyz_names_the_store_that_does_not_answer(client):
    from tests.api.account_helpers import in_app

    await in_app(client, client.app.state.runtime.stores.backends["database"].close)
    r = await client.get("/readyz")
    assert r.status_code == 503
    assert r.json() == {"status": "unavailable", "failed": {"database": "RuntimeError"}}
    assert (await client.get("/healthz")).status_code == 200  # alive, just not ready


async def test_readyz_names_an_unusable_media_store(client, config):
    (config.data_dir / "media").write_text("a file where the media folder should be")
    r = await client.get("/readyz")
    assert r.status_code == 503
    assert set(r.json()["failed"]) == {"media"}
