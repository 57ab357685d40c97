"""The OpenAPI document says what the server answers: errors as
problem+json, the statuses each route can give, bodies that refuse
unknown fields, and OPTIONS that names every method of a path."""

from __future__ import annotations

from tests.conftest import register

# Answered without credentials (the privacy notice: read before signing up).
PUBLIC = ("/api/v1/auth/", "/api/v1/privacy")


async def test_every_error_a_route_declares_is_problem_json(client):
    doc = (await client.get("/schema/openapi.json")).json()
    assert "Problem" in doc["components"]["schemas"]
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            errors = {s: r for s, r in op["responses"].items() if s.startswith(("4", "5"))}
            assert {"400", "431"} <= set(errors), (method, path)
            for status, response in errors.items():
                assert list(response["content"]) == ["application/problem+json"], (method, path, status)
            if path.startswith("/api/v1/") and not path.startswith(PUBLIC):
                assert {"401", "403"} <= set(errors), (method, path)
            if "{" in path:
                assert "404" in errors, (method, path)
    assert "409" in doc["paths"]["/api/v1/me"]["patch"]["responses"]
    assert "429" in doc["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert "410" in doc["paths"]["/api/v1/sync"]["get"]["responses"]


async def test_bodies_that_refuse_unknown_fields_say_so(client):
    schemas = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    for name in ("RegisterIn", "ProfilePatch", "SendMessage", "EditMessage"):
        assert schemas[name]["additionalProperties"] is False, name
    assert schemas["RegisterIn"]["properties"]["username"]["maxLength"] == 256


async def test_options_allows_every_method_of_the_path(client):
    alice = await register(client, "alice")
    for path, allow in [("/api/v1/me", "GET, OPTIONS, PATCH"),
                        ("/api/v1/messages/x", "DELETE, GET, OPTIONS, PATCH"),
                        ("/api/v1/conversations", "GET, OPTIONS, POST"),
                        ("/api/v1/auth/login", "OPTIONS, POST")]:
        r = await client.options(path)
        assert r.status_code == 204 and r.headers["allow"] == allow, (path, r.headers)
    r = await client.put("/api/v1/auth/login", headers=alice.headers)
    assert r.status_code == 405 and r.headers["allow"] == "OPTIONS, POST"
    assert r.headers["content-type"] == "application/problem+json"
