"""Feature flags over HTTP: what is on for me, admins changing flags (and no
one else), bad input, and the server enforcing a flag per user."""

from __future__ import annotations

import pytest

from tests.conftest import register

ADMIN = "/api/v1/admin/features"


async def test_me_features_follows_the_flags_for_each_user(client):
    root, ann, bob = [await register(client, n) for n in ("root", "ann", "bob")]
    r = await client.get("/api/v1/me/features", headers=ann.headers)
    assert r.status_code == 200 and r.json()["features"] == {"e2ee": True, "e2ee_default": False, "search": True, "graphql": False}

    r = await client.put(f"{ADMIN}/graphql", json={"state": "off", "users": ["ann"]}, headers=root.headers)
    assert r.status_code == 200 and r.json()["source"] == "runtime" and r.json()["users"] == ["ann"]
    assert (await client.get("/api/v1/me/features", headers=ann.headers)).json()["features"]["graphql"] is True
    assert (await client.get("/api/v1/me/features", headers=bob.headers)).json()["features"]["graphql"] is False
    # Roles: on for admins only.
    await client.put(f"{ADMIN}/graphql", json={"percent": 0, "roles": ["admin"]}, headers=root.headers)
    assert (await client.get("/api/v1/me/features", headers=root.headers)).json()["features"]["graphql"] is True
    assert (await client.get("/api/v1/me/features", headers=ann.headers)).json()["features"]["graphql"] is False
    listed = {f["name"]: f for f in (await client.get(ADMIN, headers=root.headers)).json()["items"]}
    assert listed["graphql"]["roles"] == ["admin"] and listed["search"]["source"] == "config"
    assert (await client.get("/api/v1/me/features")).status_code == 401


async def test_only_admins_see_or_change_flags(client):
    await register(client, "root")
    ann = await register(client, "ann")
    assert (await client.get(ADMIN, headers=ann.headers)).json()["code"] == "admin_only"
    r = await client.put(f"{ADMIN}/search", json={"state": "off"}, headers=ann.headers)
    assert r.status_code == 403 and r.json()["code"] == "admin_only"
    assert (await client.get("/api/v1/me/features", headers=ann.headers)).json()["features"]["search"] is True


@pytest.mark.parametrize("body, code", [
    ({"state": "sometimes"}, "invalid_flag_state"),
    ({"state": "150%"}, "invalid_flag_state"),
    ({}, "invalid_flag_state"),
    ({"state": "on", "percent": 5}, "invalid_flag_state"),
    ({"percent": 101}, "invalid"),
    ({"percent": "ten"}, "invalid"),
    ({"state": "on", "roles": ["wizard"]}, "invalid_role"),
    ({"state": "on", "colour": "red"}, "invalid"),
])
async def test_bad_flag_input_is_a_400_problem(client, body, code):
    root = await register(client, "root")
    r = await client.put(f"{ADMIN}/search", json=body, headers=root.headers)
    assert r.status_code == 400 and r.json()["code"] == code, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_an_unknown_flag_is_404(client):
    root = await register(client, "root")
    r = await client.put(f"{ADMIN}/teleport", json={"state": "on"}, headers=root.headers)
    assert r.status_code == 404 and r.json()["code"] == "flag_not_found"


async def test_flags_are_enforced_per_user(client):
    root, ann, bob = [await register(client, n) for n in ("root", "ann", "bob")]
    await client.put(f"{ADMIN}/search", json={"state": "off", "users": ["ann"]}, headers=root.headers)
    await client.put(f"{ADMIN}/e2ee", json={"state": "off", "users": ["ann"]}, headers=root.headers)
    r = await client.get("/api/v1/search", params={"q": "lunch"}, headers=bob.headers)
    assert r.status_code == 404 and r.json()["code"] == "feature_disabled"
    assert (await client.get("/api/v1/search", params={"q": "lunch"}, headers=ann.headers)).status_code == 200

    r = await client.post("/api/v1/conversations", json={"kind": "direct", "user_id": ann.id, "e2ee": True},
                          headers=bob.headers)
    assert r.status_code == 400 and r.json()["code"] == "e2ee_disabled"
    r = await client.post("/api/v1/conversations", json={"kind": "direct", "user_id": bob.id, "e2ee": True},
                          headers=ann.headers)
    assert r.status_code == 201 and r.json()["e2ee"] is True


async def test_an_admin_rolls_graphql_out_from_0_to_100_percent_without_a_restart(client):
    root = await register(client, "root")
    people = [await register(client, f"user{i:03d}") for i in range(200)]

    async def who_has_it() -> set[str]:
        has = set()
        for p in people:
            listed = (await client.get("/api/v1/me/features", headers=p.headers)).json()["features"]["graphql"]
            r = await client.post("/api/v1/graphql", json={"query": "{ me { id } }"}, headers=p.headers)
            assert r.status_code == (200 if listed else 404)  # what it says is what it does
            if listed:
                has.add(p.id)
        return has

    assert await who_has_it() == set()
    await client.put(f"{ADMIN}/graphql", json={"state": "10%"}, headers=root.headers)
    tenth = await who_has_it()
    assert 3 <= len(tenth) <= 40  # Binomial(200, 0.1): mean 20, sd 4.2; beyond 4 sd either way
    await client.put(f"{ADMIN}/graphql", json={"percent": 50}, headers=root.headers)
    half = await who_has_it()
    assert tenth <= half and 60 <= len(half) <= 140
    await client.put(f"{ADMIN}/graphql", json={"state": "on"}, headers=root.headers)
    assert await who_has_it() == {p.id for p in people}
