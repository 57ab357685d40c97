"""Hostile HTTP input: deep JSON, huge integers, huge bodies and headers,
invisible names. Each answers a problem-details 4xx, changes nothing and
leaves no stack trace in the log."""

from __future__ import annotations

import logging

import pytest

from tests.api.account_helpers import sql_value
from tests.api.message_helpers import CONV, MSG, direct, send
from tests.conftest import register

DEEP = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
DEEP_LIST = b"[" * 100_000 + b"]" * 100_000
BIG = 2**63  # one past SQLite's INTEGER and PostgreSQL's BIGINT
JSON = {"content-type": "application/json"}


def assert_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["code"]
    return body


@pytest.fixture
async def chat(client):
    """alice, bob and their direct conversation."""
    alice = await register(client, "alice")
    bob = await register(client, "bob")
    return alice, bob, await direct(client, alice, bob)


def no_traceback(caplog) -> None:
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], caplog.text


@pytest.mark.parametrize("body", [DEEP, DEEP_LIST], ids=["object", "array"])
async def test_deep_json_in_register_is_400(client, caplog, body):
    r = await client.post("/api/v1/auth/register", content=body, headers=JSON)
    assert_problem(r, 400)
    no_traceback(caplog)


async def test_deep_json_in_preferences_and_message_body_is_400(client, caplog, chat):
    alice, _, conv = chat
    prefs = b'{"version":1,"preferences":' + DEEP + b"}"
    assert_problem(await client.patch("/api/v1/me", content=prefs, headers={**alice.headers, **JSON}), 400)
    msg = b'{"client_id":"x","body":' + DEEP_LIST + b"}"
    r = await client.post(f"{CONV}/{conv}/messages", content=msg, headers={**alice.headers, **JSON})
    assert_problem(r, 400)
    no_traceback(caplog)
    me = (await client.get("/api/v1/me", headers=alice.headers)).json()
    assert me["version"] == 1 and me["preferences"] == {}


async def test_preferences_nested_deeper_than_the_limit_are_refused(client):
    alice = await register(client, "alice")
    nested: dict = {}
    for _ in range(40):
        nested = {"a": nested}
    r = await client.patch("/api/v1/me", json={"version": 1, "preferences": nested}, headers=alice.headers)
    assert_problem(r, 400)


@pytest.mark.parametrize("query", [f"before_seq={BIG}", f"after_seq={BIG}", f"after_seq={10**30}"])
async def test_huge_seq_in_history_is_400(client, caplog, chat, query):
    alice, _, conv = chat
    r = await client.get(f"{CONV}/{conv}/messages?{query}", headers=alice.headers)
    assert_problem(r, 400)
    no_traceback(caplog)


async def test_huge_versions_are_400_and_change_nothing(client, caplog, chat):
    alice, _, conv = chat
    msg = await send(client, conv, alice, "hi")
    for big in (BIG, 10**40):
        assert_problem(await client.patch("/api/v1/me", json={"version": big, "bio": "x"}, headers=alice.headers), 400)
        r = await client.patch("/api/v1/me", json={"bio": "x"}, headers={**alice.headers, "If-Match": f'"{big}"'})
        assert_problem(r, 400)
        r = await client.patch(f"{MSG}/{msg['id']}", json={"body": "y", "version": big}, headers=alice.headers)
        assert_problem(r, 400)
        r = await client.patch(f"{MSG}/{msg['id']}", json={"body": "y"}, headers={**alice.headers, "If-Match": str(big)})
        assert_problem(r, 400)
    no_traceback(caplog)
    assert (await client.get(f"{MSG}/{msg['id']}", headers=alice.headers)).json()["version"] == 1
    assert (await client.get("/api/v1/me", headers=alice.headers)).json()["version"] == 1


@pytest.mark.parametrize("name", ["\u200b\u200c\u200d", "\u2060\ufeff", "\u200b \u200b", "\u00ad\u034f"])
async def test_invisible_display_names_are_refused(client, name):
    alice = await register(client, "alice")
    r = await client.patch("/api/v1/me", json={"version": 1, "display_name": name}, headers=alice.headers)
    assert assert_problem(r, 400)["code"] == "invalid_display_name"
    r = await client.post("/api/v1/auth/register", json={"username": "bob", "password": "correct horse battery",
                                                          "display_name": name})
    assert_problem(r, 400)
    assert await sql_value(client, "SELECT count(*) FROM users") == 1


async def test_a_body_past_the_limit_is_413_problem_details(client):
    r = await client.post("/api/v1/auth/register", content=b'{"username":"' + b"a" * (1025 * 1024) + b'"}',
                          headers=JSON)
    assert assert_problem(r, 413)["code"] == "too_large"
    assert await sql_value(client, "SELECT count(*) FROM users") == 0


async def test_headers_past_the_limit_are_431_problem_details(client):
    alice = await register(client, "alice")
    r = await client.get("/api/v1/me", headers={"Authorization": "Bearer " + "a" * 40_000})
    assert assert_problem(r, 431)["code"] == "headers_too_large"
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
