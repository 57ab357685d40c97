"""The exact answers to bad send and edit bodies: status, problem code, detail
and the `errors` list, as clients see them. Pinned whole so that a change in
how bodies are decoded (issue 14: one pass into the Struct) cannot move one.
Bodies that are both malformed and mistyped get the malformed answer."""

from __future__ import annotations

import json

import pytest

from tests.api.message_helpers import CONV, MSG, direct, send
from tests.conftest import register

JSON = {"content-type": "application/json"}
DEEP = b"[" * 100_000 + b"]" * 100_000
BIG = b"10000000000000000000000000000000000000000"  # 10**40: past any 64-bit integer
VALIDATION = "Validation failed for {method} {path}"


def invalid(key: str, message: str) -> dict:
    return {"status": 400, "code": "invalid", "title": "Invalid input", "detail": VALIDATION,
            "errors": [{"key": key, "message": message, "source": "body"}]}


def bad_json(detail: str) -> dict:
    return {"status": 400, "code": "invalid", "title": "Bad Request", "detail": detail}


def chatd_error(status: int, code: str, title: str, detail: str, **extra) -> dict:
    return {"status": status, "code": code, "title": title, "detail": detail, **extra}


TOO_DEEP = chatd_error(400, "too_deep", "Invalid input", "JSON is nested at most 32 levels deep.")
NOT_JSON = chatd_error(415, "unsupported_media_type", "Unsupported media type",
                       "Send the body as JSON, with Content-Type: application/json.")

SEND = {
    "truncated": (b'{"client_id": "c1", "body": ', bad_json("Input data was truncated")),
    "truncated and mistyped": (b'{"client_id": 5, "body": ', bad_json("Input data was truncated")),
    "trailing bytes": (b'{"client_id": "c", "body": "x"} x', bad_json("JSON is malformed: trailing characters (byte 33)")),
    "NaN": (b'{"client_id": "c", "body": NaN}', bad_json("JSON is malformed: invalid character (byte 27)")),
    "an array": (b"[1,2]", invalid("data", "Expected `object`, got `array`")),
    "null": (b"null", invalid("data", "Expected `object`, got `null`")),
    "no body at all": (b"", invalid("data", "'data'")),
    "client_id a number": (b'{"client_id": 5, "body": "x"}', invalid("client_id", "Expected `str`, got `int`")),
    "client_id null": (b'{"client_id": null, "body": "x"}', invalid("client_id", "Expected `str`, got `null`")),
    "client_id 2**63": (b'{"client_id": 9223372036854775808, "body": "x"}',
                        invalid("client_id", "Expected `str`, got `int`")),
    "client_id 10**40": (b'{"client_id": ' + BIG + b', "body": "x"}', invalid("client_id", "Expected `str`, got `int`")),
    "two wrong fields": (b'{"client_id": 5, "body": 6}', invalid("client_id", "Expected `str`, got `int`")),
    "client_id missing": (b'{"body": "x"}', invalid("data", "Object missing required field `client_id`")),
    "client_id pattern": (b'{"client_id": "a b", "body": "x"}',
                          invalid("client_id", "Expected `str` matching regex '^[A-Za-z0-9_-]{1,64}$'")),
    "unknown field": (b'{"client_id": "c", "body": "x", "extra": 1}',
                      invalid("data", "Object contains unknown field `extra`")),
    "unknown field holding 10**40": (b'{"client_id": "c", "body": "x", "n": ' + BIG + b"}",
                                     invalid("data", "Object contains unknown field `n`")),
    "body a number": (b'{"client_id": "c", "body": 5}', invalid("body", "Expected `str | null`, got `int`")),
    "kind unknown": (b'{"client_id": "c", "body": "x", "kind": "voice"}', invalid("kind", "Invalid enum value 'voice'")),
    "21 attachments": (json.dumps({"client_id": "c", "body": "x", "attachments": [f"a{i}" for i in range(21)]}).encode(),
                       invalid("attachments", "Expected `array` of length <= 20")),
    "mentions a string": (b'{"client_id": "c", "body": "x", "mentions": "u"}',
                          invalid("mentions", "Expected `array`, got `str`")),
    "reply_to empty": (b'{"client_id": "c", "body": "x", "reply_to": ""}',
                       invalid("reply_to", "Expected `str` of length >= 1")),
    "envelope with an unknown field": (
        b'{"client_id": "c", "kind": "encrypted", "envelope": {"alg": "a", "sender_device": "d", "nonce": "n", '
        b'"ciphertext": "c", "q": 1}}', invalid("envelope", "Object contains unknown field `q`")),
    "envelope a number": (b'{"client_id": "c", "envelope": 5}', invalid("envelope", "Expected `object | null`, got `int`")),
    "nested too deep": (b'{"client_id":"x","body":' + DEEP + b"}", TOO_DEEP),
    "33 levels in an unknown field": (b'{"client_id":"x","z":' + b"[" * 33 + b"]" * 33 + b"}", TOO_DEEP),
    "body too long": (json.dumps({"client_id": "c", "body": "x" * 8001}).encode(),
                      chatd_error(413, "message_too_long", "Payload too large", "A message is at most 8000 characters.",
                                  max_chars=8000)),
    "body blank": (b'{"client_id": "c", "body": "  "}', chatd_error(400, "empty_body", "Invalid input",
                                                                     "The message is empty.")),
    "body left out": (b'{"client_id": "c"}', chatd_error(400, "body_required", "Invalid input",
                                                          "A text message needs a body.")),
    "larger than max_body_kb": (b'{"client_id": "c", "body": "' + b"a" * (1025 * 1024) + b'"}',
                                chatd_error(413, "too_large", "Request Entity Too Large", "Request Entity Too Large")),
}

EDIT = {
    "truncated": (b'{"body": ', bad_json("Input data was truncated")),
    "truncated and mistyped": (b'{"body": 1, "version": ', bad_json("Input data was truncated")),
    "an array": (b"[]", invalid("data", "Expected `object`, got `array`")),
    "no body at all": (b"", invalid("data", "'data'")),
    "version 2**63": (b'{"body": "y", "version": 9223372036854775808}',
                      invalid("version", "Expected `int` <= 9223372036854775807")),
    "version 10**40": (b'{"body": "y", "version": ' + BIG + b"}", invalid("version", "Expected `int` <= 9223372036854775807")),
    "version 1.5": (b'{"body": "y", "version": 1.5}', invalid("version", "Expected `int | null`, got `float`")),
    "version true": (b'{"body": "y", "version": true}', invalid("version", "Expected `int | null`, got `bool`")),
    "version 0": (b'{"body": "y", "version": 0}', invalid("version", "Expected `int` >= 1")),
    "unknown field": (b'{"body": "y", "version": 1, "x": 1}', invalid("data", "Object contains unknown field `x`")),
    "body a number": (b'{"body": 1, "version": 1}', invalid("body", "Expected `str | null`, got `int`")),
    "nested too deep": (b'{"body":' + DEEP + b"}", TOO_DEEP),
    "body too long": (json.dumps({"body": "x" * 8001, "version": 1}).encode(),
                      chatd_error(413, "message_too_long", "Payload too large", "A message is at most 8000 characters.",
                                  max_chars=8000)),
    "no version": (b'{"body": "y"}', chatd_error(400, "version_required", "Invalid input",
                                                  "Say which version you edited (version or If-Match).")),
}


@pytest.fixture
async def chat(client):
    alice = await register(client, "alice")
    bob = await register(client, "bob")
    conv = await direct(client, alice, bob)
    return alice, conv, await send(client, conv, alice, "first")


def assert_answer(r, expected: dict, method: str, path: str) -> None:
    want = {"type": f"https://chatd.dev/problems/{expected['code']}", **expected}
    if want["detail"] == VALIDATION:
        want["detail"] = VALIDATION.format(method=method, path=path)
    assert r.status_code == want["status"], r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json() == want


@pytest.mark.parametrize("case", SEND)
async def test_a_bad_send_body_gets_its_exact_answer_and_sends_nothing(client, chat, case):
    alice, conv, first = chat
    body, expected = SEND[case]
    path = f"{CONV}/{conv}/messages"
    assert_answer(await client.post(path, content=body, headers={**alice.headers, **JSON}), expected, "POST", path)
    items = (await client.get(path, headers=alice.headers)).json()["items"]
    assert [m["id"] for m in items] == [first["id"]]


@pytest.mark.parametrize("kind", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_send_body_not_declared_as_json_is_415(client, chat, kind):
    alice, conv, _ = chat
    path = f"{CONV}/{conv}/messages"
    headers = {**alice.headers, **({"content-type": kind} if kind else {})}
    assert_answer(await client.post(path, content=b'{"client_id": "c", "body": "x"}', headers=headers), NOT_JSON,
                  "POST", path)


@pytest.mark.parametrize("case", EDIT)
async def test_a_bad_edit_body_gets_its_exact_answer_and_changes_nothing(client, chat, case):
    alice, _, first = chat
    body, expected = EDIT[case]
    path = f"{MSG}/{first['id']}"
    assert_answer(await client.patch(path, content=body, headers={**alice.headers, **JSON}), expected, "PATCH", path)
    message = (await client.get(path, headers=alice.headers)).json()
    assert message["version"] == 1 and message["body"] == "first"


async def test_lenient_numbers_and_repeated_keys_are_read_as_before(client, chat):
    """Litestar converts bodies leniently (strict=False): "1" and 1.0 name version 1.
    A key given twice keeps its last value."""
    alice, conv, first = chat
    path = f"{MSG}/{first['id']}"
    r = await client.patch(path, content=b'{"body": "two", "version": "1"}', headers={**alice.headers, **JSON})
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    r = await client.patch(path, content=b'{"body": "three", "version": 2.0}', headers={**alice.headers, **JSON})
    assert r.status_code == 200 and r.json()["version"] == 3, r.text
    r = await client.post(f"{CONV}/{conv}/messages", content=b'{"client_id": "a", "client_id": "b", "body": "x"}',
                          headers={**alice.headers, **JSON})
    assert r.status_code == 201 and r.json()["client_id"] == "b", r.text


async def test_a_body_that_is_not_utf8_is_400_not_500(client, chat, caplog):
    alice, conv, first = chat
    path = f"{CONV}/{conv}/messages"
    r = await client.post(path, content=b'{"client_id": "c", "body": "\xff"}', headers={**alice.headers, **JSON})
    assert_answer(r, bad_json("JSON is malformed: invalid UTF-8"), "POST", path)
    path = f"{MSG}/{first['id']}"
    r = await client.patch(path, content=b'{"body": "\xc3", "version": 1}', headers={**alice.headers, **JSON})
    assert_answer(r, bad_json("JSON is malformed: invalid UTF-8"), "PATCH", path)
    assert "incident" not in caplog.text
