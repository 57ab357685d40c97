"""The fast lane (chatd/api/fast_lane) answers exactly as Litestar does.

Every request of a corpus, happy and hostile, goes once through Litestar
alone (the lane switched off on the same app) and once with the lane on;
status, headers, body and the access-log lines must be the same, byte for
byte. Each case also says whether the lane must take it or hand it to
Litestar, so a lane that declined everything could not pass either.
Runs on the pass's backends (tests/backends.py: SQLite, or PostgreSQL with
CHATD_TEST_DATABASE=postgres).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from chatd.api.fast_lane.cookie import cookie_session
from chatd.api.fast_lane.request import read_headers
from chatd.app import create_app
from chatd.bounds import check_json_depth
from chatd.config import Config
from chatd.services.message_input import SendMessage
from chatd.services.tokens import csrf_for
from tests.api.account_helpers import login, sql
from tests.api.test_message_body_answers import SEND
from tests.api.message_helpers import CONV, direct, send
from tests.conftest import register

JSON = {"content-type": "application/json"}
OK = b'{"client_id": "%s", "body": "hello"}'
# Fields a new message gets fresh each time it is made.
FRESH = ("id", "client_id", "seq", "created_at")


class Lanes:
    """One app, the lane switched on or off per request; the Litestar side
    counts the requests it was handed (the lane's declines)."""

    def __init__(self, client: AsyncTestClient, caplog: pytest.LogCaptureFixture):
        self.client = client
        self.app: Any = client.app
        self.lane = self.app.fast_lane
        self.caplog = caplog
        self.through_litestar = 0
        inner = self.app.asgi_handler

        async def counting(scope: Any, receive: Any, send: Any) -> None:
            self.through_litestar += 1
            await inner(scope, receive, send)

        self.app.asgi_handler = counting

    async def one(self, lane: bool, method: str, url: str, headers: Any, body: bytes | None) -> tuple:
        self.app.fast_lane = self.lane if lane else None
        self.caplog.clear()
        before = self.through_litestar
        r = await self.client.request(method, url, headers=headers, content=body)
        self.client.cookies.clear()
        logged = [(rec.levelno, rec.getMessage()) for rec in self.caplog.records if rec.name == "chatd.access"]
        answer = (r.status_code, r.headers.raw, r.content, logged)
        return answer, self.through_litestar == before

    async def same(self, method: str, url: str, headers: Any, body: bytes | None = None, *,
                   taken: bool) -> tuple:
        """Litestar's answer, then the lane's: equal; the lane took it or not as told."""
        plain, _ = await self.one(False, method, url, headers, body)
        fast, took = await self.one(True, method, url, headers, body)
        assert fast == plain, f"{method} {url} {headers!r} {body[:100]!r}: the lane answered differently"
        assert took is taken, f"{method} {url} {headers!r}: the lane {'declined' if taken else 'took'} it"
        return fast


def _masked(content: bytes) -> dict:
    message = json.loads(content)
    return {k: (None if k in FRESH else v) for k, v in message.items()}


@pytest.fixture
async def lanes(config_with: Callable[..., Config], caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="chatd.access")
    config = config_with(limits={"messages_per_minute": 100_000})
    async with AsyncTestClient(create_app(config)) as client:
        yield Lanes(client, caplog)


@pytest.fixture
async def chat(lanes: Lanes) -> dict[str, Any]:
    client = lanes.client
    alice, bob, carol = [await register(client, name) for name in ("alice", "bob", "carol")]
    conv = await direct(client, alice, bob)
    other = await direct(client, bob, carol)  # alice is not a member
    for i in range(60):
        await send(client, conv, alice if i % 2 else bob, f"message {i}", client_id=f"seed{i}")
    await send(client, other, bob, "not for alice", client_id="theirs")
    await send(client, await direct(client, alice, carol), alice, "to carol", client_id="elsewhere")
    ended = (await login(client, "alice")).json()["token"]
    assert (await client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {ended}"})).status_code == 204
    expired = (await login(client, "bob")).json()["token"]
    r = await login(client, "alice")
    cookie = f"chatd_session={r.cookies['chatd_session']}; csrf_token={r.cookies['csrf_token']}"
    client.cookies.clear()
    return {"alice": alice, "carol": carol, "conv": conv, "other": other, "ended": ended, "expired": expired,
            "cookie": cookie, "csrf": r.cookies["csrf_token"], "session": r.cookies["chatd_session"]}


def _decodes(body: bytes) -> bool:
    try:
        check_json_depth(body)
        msgspec.json.decode(body, type=SendMessage, strict=False)
    except Exception:  # noqa: BLE001 - any reason: not for the lane
        return False
    return True


def bearer(token: str, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **more}


async def test_history_pages_and_their_refusals_are_litestars_answers(lanes, chat):
    alice, conv = chat["alice"], chat["conv"]
    path = f"{CONV}/{conv}/messages"
    me = alice.headers
    taken = ["", "?before_seq=30", "?after_seq=10", "?limit=7", "?before_seq=40&limit=200", "?limit=1&after_seq=0",
             "?before_seq=0", "?before_seq=9223372036854775807", "?after_seq=1000",
             "?before_seq=5&after_seq=9"]  # both: the service's own 400, answered by the lane
    for query in taken:
        await lanes.same("GET", path + query, me, taken=True)
    declined = ["?before_seq=9223372036854775808", "?before_seq=" + "9" * 40, "?limit=0", "?limit=201",
                "?limit=-1", "?limit=abc", "?limit=", "?limit", "?before_seq=05", "?before_seq=+5",
                "?before_seq=%205", "?before%5Fseq=5", "?limit=5&limit=6", "?page=2", "?before_seq=5&",
                "?&", "?before_seq=1.0", "?limit=%32"]
    for query in declined:
        await lanes.same("GET", path + query, me, taken=False)
    # Not alice's conversation, or none at all: the same 404 (and access-log line).
    for conversation in (chat["other"], "nope", "x" * 300, "%C3%A9t%C3%A9", "a%20b", "x%0Aforged%20line"):
        status, _, _, logged = await lanes.same("GET", f"{CONV}/{conversation}/messages", me, taken=True)
        assert status == 404 and len(logged) == 1 and "\n" not in logged[0][1]


async def test_a_send_made_by_the_lane_is_the_one_litestar_makes(lanes, chat):
    alice, conv = chat["alice"], chat["conv"]
    path = f"{CONV}/{conv}/messages"
    headers = {**alice.headers, **JSON}
    plain, _ = await lanes.one(False, "POST", path, headers, OK % b"first-plain")
    fast, took = await lanes.one(True, "POST", path, headers, OK % b"first-lane0")
    assert took and fast[0] == plain[0] == 201
    assert fast[1] == plain[1] and fast[3] == plain[3]
    assert _masked(fast[2]) == _masked(plain[2])
    # Retries answer 200 with the first message, whichever side made it.
    for client_id in (b"first-plain", b"first-lane0", b"seed3"):
        status, _, body, _ = await lanes.same("POST", path, headers, OK % client_id, taken=True)
        assert status == 200 and json.loads(body)["client_id"] == client_id.decode()
    # A query string means nothing to the send route.
    await lanes.same("POST", path + "?before_seq=1", headers, OK % b"seed5", taken=True)


async def test_send_refusals_are_litestars_answers(lanes, chat):
    alice, conv = chat["alice"], chat["conv"]
    path = f"{CONV}/{conv}/messages"
    headers = {**alice.headers, **JSON}
    # Decoded, then refused by the service: the lane answers with the app's handlers.
    by_the_service = [
        (f"{CONV}/{chat['other']}/messages", OK % b"n1"),  # not a member: 404 and its log line
        (f"{CONV}/nope/messages", OK % b"n2"),
        (path, OK % b"elsewhere"),  # alice's client_id in another conversation: 409
        (path, b'{"client_id": "c", "body": "  "}'),
        (path, json.dumps({"client_id": "c", "body": "x" * 8001}).encode()),
        (path, b'{"client_id": "c", "body": "x", "reply_to": "nothing"}'),
        (path, b'{"client_id": "c", "body": "x", "attachments": ["nothing"]}'),
    ]
    for url, body in by_the_service:
        await lanes.same("POST", url, headers, body, taken=True)
    # Bodies that do not decode (every one pinned in test_message_body_answers), and odd ones.
    bodies = [body for body, _ in SEND.values()] + [b'{"client_id": "c", "body": "\xff\xfe"}', b"\xff",
                                                    b'{"client_id": "c", "body": "x"}' + b" " * 2_000_000]
    for body in bodies:
        # The lane takes what decodes into SendMessage within the size limit (the
        # service refuses some of those: "body blank", "body too long"), no other.
        await lanes.same("POST", path, headers, body, taken=len(body) <= 1024 * 1024 and _decodes(body))
    for kind in ("text/plain", "application/x-www-form-urlencoded", "application/xml", "application/vnd.x+json",
                 "application/json; charset=utf-8", "APPLICATION/JSON"):
        await lanes.same("POST", path, {**alice.headers, "content-type": kind}, OK % b"seed7",
                         taken=kind.lower().startswith(("application/json", "application/vnd.x+json")))
    await lanes.same("POST", path, alice.headers, OK % b"seed7", taken=False)  # no content type


async def test_who_is_asking_is_checked_as_litestar_checks_it(lanes, chat):
    alice, conv = chat["alice"], chat["conv"]
    path = f"{CONV}/{conv}/messages"
    await sql(lanes.client, "UPDATE sessions SET expires_at = 1 WHERE user_id = (SELECT id FROM users WHERE username = 'bob')")
    strangers = [{}, {"Authorization": "Basic YWxpY2U6cHc="}, bearer(""), {"Authorization": "Bearer"},
                 bearer("not-a-real-token"), bearer("x" * 5000), bearer(chat["ended"]), bearer(chat["expired"])]
    for headers in strangers:
        await lanes.same("GET", path, headers, taken=False)
        await lanes.same("POST", path, {**headers, **JSON}, OK % b"seed9", taken=False)
    # Bearer and a session cookie at once (the middleware's bearer wins, no CSRF
    # asked): the lane declines; a cookie that is no session does not count.
    cookie = {"Cookie": chat["cookie"]}
    for both in (cookie, {"Cookie": f"__Host-chatd_session={chat['session']}"}):
        await lanes.same("POST", path, {**alice.headers, **JSON, **both}, OK % b"seed9", taken=False)
        await lanes.same("GET", path, {**chat["carol"].headers, **both}, taken=False)  # carol's bearer: 404
    await lanes.same("POST", path, {**alice.headers, **JSON, "Cookie": "theme=dark"}, OK % b"seed9", taken=True)
    # Headers past 32 KiB in all: header_limit's 431.
    await lanes.same("GET", path, {**alice.headers, "x-big": "a" * 40_000}, taken=False)
    # A disabled account: refused by the middleware (403).
    await sql(lanes.client, "UPDATE users SET disabled = TRUE WHERE username = 'carol'")
    await lanes.same("GET", path, chat["carol"].headers, taken=False)
    await lanes.same("POST", path, {**chat["carol"].headers, **JSON}, OK % b"seed9", taken=False)
    for method in ("HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"):
        await lanes.same(method, path, {**alice.headers, **JSON}, OK % b"seed9", taken=False)
    for odd in (f"{CONV}/{conv}/messages/", f"{CONV}//messages", f"{CONV}/{conv}/x/messages", f"{CONV}/messages"):
        await lanes.same("GET", odd, alice.headers, taken=False)


def session(token: str, *, csrf: str | None = None, cookie: str | None = None) -> dict[str, str]:
    """A cookie session's headers, as the web UI sends them: the X-CSRF-Token
    header only when `csrf` is given."""
    headers = {"Cookie": cookie or f"chatd_session={token}; csrf_token={csrf_for(token)}"}
    return headers if csrf is None else {**headers, "X-CSRF-Token": csrf}


async def test_a_cookie_session_is_taken_under_the_middlewares_csrf_rule(lanes, chat):
    conv, token = chat["conv"], chat["session"]
    path = f"{CONV}/{conv}/messages"
    right = session(token, csrf=csrf_for(token))
    # Reading is safe: no CSRF header asked, a wrong one ignored, as by the middleware.
    for headers in (session(token), right, session(token, csrf="wrong")):
        await lanes.same("GET", path + "?limit=5", headers, taken=True)
    # The access-log line names the cookie's user.
    status, _, _, logged = await lanes.same("GET", f"{CONV}/{chat['other']}/messages", right, taken=True)
    assert status == 404 and len(logged) == 1 and chat["alice"].id in logged[0][1] and "'alice'" in logged[0][1]
    # A send with the right header: 201 on either side, retries 200 with the first message.
    sends = {**right, **JSON}
    plain, _ = await lanes.one(False, "POST", path, sends, OK % b"cookie-plain")
    fast, took = await lanes.one(True, "POST", path, sends, OK % b"cookie-lane0")
    assert took and fast[0] == plain[0] == 201
    assert fast[1] == plain[1] and fast[3] == plain[3] and _masked(fast[2]) == _masked(plain[2])
    for client_id in (b"cookie-plain", b"cookie-lane0", b"seed3"):
        status, _, body, _ = await lanes.same("POST", path, sends, OK % client_id, taken=True)
        assert status == 200 and json.loads(body)["client_id"] == client_id.decode()
    # A service refusal for a cookie user: the same 404 and log line.
    await lanes.same("POST", f"{CONV}/{chat['other']}/messages", sends, OK % b"n3", taken=True)
    # Other cookies around it, spaces: still the one session.
    padded = f"theme=dark;chatd_session={token} ;  csrf_token={csrf_for(token)}"
    await lanes.same("POST", path, {**session(token, csrf=csrf_for(token), cookie=padded), **JSON}, OK % b"seed3",
                     taken=True)
    # The rule judges the token, not the Origin (browsers send one with a POST).
    await lanes.same("POST", path, {**sends, "Origin": "https://elsewhere.example"}, OK % b"seed3", taken=True)


async def test_what_the_csrf_rule_refuses_is_litestars_403(lanes, chat):
    conv, token = chat["conv"], chat["session"]
    path = f"{CONV}/{conv}/messages"
    other = (await login(lanes.client, "bob")).json()["token"]
    lanes.client.cookies.clear()
    wrong = [None, "", "wrong", csrf_for(token).upper(), csrf_for(token)[:-1], csrf_for(other), token,
             chat["csrf"] + "0"]
    for csrf in wrong:
        for client_id in (b"seed3", b"never-made"):  # a retry is refused too
            status, _, body, _ = await lanes.same("POST", path, {**session(token, csrf=csrf), **JSON},
                                                  OK % client_id, taken=False)
            assert status == 403 and b"csrf_failed" in body
    # The right header under another session's cookie: still refused.
    await lanes.same("POST", path, {**session(other, csrf=csrf_for(token)), **JSON}, OK % b"x", taken=False)
    # Nothing refused was made.
    r = await lanes.client.get(path + "?limit=200", headers=chat["alice"].headers)
    assert b"never-made" not in r.content


async def test_cookie_sessions_the_lane_is_not_sure_of_are_litestars(lanes, chat):
    conv, token = chat["conv"], chat["session"]
    path = f"{CONV}/{conv}/messages"
    await sql(lanes.client, "UPDATE sessions SET expires_at = 1 WHERE user_id = (SELECT id FROM users WHERE username = 'bob')")
    # Ended (logged out), expired, unknown: the middleware's 401.
    for stranger in (chat["ended"], chat["expired"], "A" * 43, "x" * 300):
        for method, body in (("GET", None), ("POST", OK % b"seed9")):
            status, *_ = await lanes.same(method, path, {**session(stranger, csrf=csrf_for(stranger)), **JSON}, body,
                                          taken=False)
            assert status == 401
    right = csrf_for(token)
    odd = [f"chatd_session={token}; chatd_session={token}",  # several session cookies
           f"chatd_session=nothing; chatd_session={token}", f"chatd_session={token}; chatd_session=nothing",
           f"__Host-chatd_session={token}",  # not this (http) server's name: Litestar's 401
           f"__Host-chatd_session={token}; chatd_session={token}",
           f'chatd_session="{token}"', f"chatd_session=%{ord(token[0]):02X}{token[1:]}",  # Litestar unquotes
           f"chatd_session={token}=", "chatd_session", f"chatd_session; chatd_session={token}",
           f"chatd_session=; x={token}", "chatd_session=" + "A" * 300]
    for cookie in odd:
        for method, body in (("GET", None), ("POST", OK % b"seed9")):
            await lanes.same(method, path, {**session(token, csrf=right, cookie=cookie), **JSON}, body, taken=False)
    # The test client joins repeated headers with ", " (a proxy may too): one odd value each.
    joined = [[("Cookie", f"chatd_session={token}"), ("Cookie", "theme=dark"), ("X-CSRF-Token", right)],
              [("Cookie", f"chatd_session={token}"), ("X-CSRF-Token", right), ("X-CSRF-Token", right)]]
    for (headers, get_taken) in zip(joined, (False, True)):  # a GET asks no CSRF header
        await lanes.same("GET", path, headers, taken=get_taken)
        await lanes.same("POST", path, [*headers, ("content-type", "application/json")], OK % b"seed9", taken=False)
    not_ascii = [(b"cookie", f"chatd_session={token}; x=\xe9".encode("latin-1")), (b"x-csrf-token", right.encode())]
    for method, body in (("GET", None), ("POST", OK % b"seed9")):
        await lanes.same(method, path, [*not_ascii, (b"content-type", b"application/json")], body, taken=False)


def test_repeated_cookie_or_csrf_headers_are_declined():
    """Repeated headers as a server hands them over (the test client joins
    them, so they are read here): whichever one Litestar reads, its call."""
    token = "FVq0cdsASAI0bqkIrNM5gaS1CA07aM9ZjABpRSJ3O5s"
    cookie, csrf = (b"cookie", b"chatd_session=" + token.encode()), (b"x-csrf-token", csrf_for(token).encode())

    def read(*headers: tuple[bytes, bytes]) -> Any:
        return read_headers({"method": "POST", "headers": list(headers)}, "chatd_session")  # type: ignore[typeddict-item]

    assert read(cookie, csrf).token == token  # the control: one of each is taken
    assert read(cookie, cookie, csrf) is None
    assert read(cookie, (b"cookie", b"theme=dark"), csrf) is None
    assert read(cookie, csrf, csrf) is None
    assert read(cookie, (b"x-csrf-token", b"wrong")) is None
    assert read(cookie) is None


def test_only_a_plain_session_cookie_value_is_read():
    """A value Litestar would unquote ("...", %-escapes) or a token no server
    makes is declined by the lane itself, not left for authenticate() to refuse."""
    token = "FVq0cdsASAI0bqkIrNM5gaS1CA07aM9ZjABpRSJ3O5s"
    csrf = csrf_for(token).encode()
    assert cookie_session(f"a=b; chatd_session={token}".encode(), "chatd_session", "POST", csrf) == token
    for value in (f'"{token}"', f"%46{token[1:]}", f"{token}=", f"{token}\\", "", "A" * 257, f"{token[:9]} {token[9:]}"):
        odd = f"chatd_session={value}".encode()
        assert cookie_session(odd, "chatd_session", "GET", None) is None, value
        assert cookie_session(odd, "chatd_session", "POST", csrf_for(value).encode()) is None, value


async def test_the_send_limit_holds_in_the_lane(config_with, caplog):
    caplog.set_level(logging.INFO, logger="chatd.access")
    async with AsyncTestClient(create_app(config_with(limits={"messages_per_minute": 2}))) as client:
        lanes = Lanes(client, caplog)
        alice, bob = await register(client, "alice"), await register(client, "bob")
        path = f"{CONV}/{await direct(client, alice, bob)}/messages"
        headers = {**alice.headers, **JSON}
        assert (await lanes.one(True, "POST", path, headers, OK % b"a"))[0][0] == 201
        plain, _ = await lanes.one(False, "POST", path, headers, OK % b"b")
        fast, took = await lanes.one(True, "POST", path, headers, OK % b"c")
        assert plain[0] == 201 and fast[0] == 429 and took
        again, _ = await lanes.one(False, "POST", path, headers, OK % b"d")
        # The seconds left in the window may tick between the two.
        seconds = re.compile(rb"\d+")
        assert again[0] == 429
        assert seconds.sub(b"N", again[2]) == seconds.sub(b"N", fast[2])
        assert [(k, seconds.sub(b"N", v)) for k, v in again[1]] == [(k, seconds.sub(b"N", v)) for k, v in fast[1]]


async def test_an_app_whose_message_routes_do_more_than_the_lane_knows_does_not_start(config, monkeypatch):
    from chatd.api import messages

    async def guard(connection: Any, handler: Any) -> None:
        return None

    monkeypatch.setattr(messages.send_message, "guards", [guard])
    with pytest.raises(RuntimeError, match="the fast lane does not know"):
        create_app(config)
    assert create_app(config, fast_lane=False).fast_lane is None  # type: ignore[attr-defined]


async def test_an_unexpected_error_in_the_lane_is_litestars_generic_500(lanes, chat, monkeypatch, caplog):
    alice, conv = chat["alice"], chat["conv"]
    path = f"{CONV}/{conv}/messages"

    async def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("internal detail: row 42")

    messages = lanes.app.state.runtime.services.messages
    monkeypatch.setattr(messages, "send", broken)
    monkeypatch.setattr(messages, "history_json", broken)
    incident = re.compile(rb"[0-9A-Z]{26}")
    for method, body in (("GET", None), ("POST", OK % b"c")):
        with caplog.at_level(logging.ERROR, logger="chatd"):
            answers = []
            for lane in (False, True):
                caplog.clear()
                (status, headers, content, _), took = await lanes.one(lane, method, path, {**alice.headers, **JSON}, body)
                logged = [incident.sub(b"I", rec.getMessage().encode()) for rec in caplog.records if rec.name == "chatd"]
                answers.append((status, headers, incident.sub(b"I", content), logged, took))
        assert answers[0][:4] == answers[1][:4] and answers[1][0] == 500 and b"row 42" not in answers[1][2]
        assert answers[1][3] and answers[1][4] is True


async def test_the_openapi_document_is_the_same_with_and_without_the_lane(config):
    documents = []
    for lane in (True, False):
        async with AsyncTestClient(create_app(config, fast_lane=lane)) as client:
            r = await client.get("/schema/openapi.json")
            assert r.status_code == 200 and f"{CONV}/{{conversation_id}}/messages" in r.json()["paths"]
            documents.append(r.content)
    assert documents[0] == documents[1]


async def test_with_an_https_public_url_only_the_host_cookie_is_a_session(config_with, caplog):
    """security.session_cookie_name: "__Host-chatd_session" there, and the
    plain name is no session (Litestar's 401); the lane reads the same name."""
    caplog.set_level(logging.INFO, logger="chatd.access")
    config = config_with(server={"public_url": "https://chat.example"})
    async with AsyncTestClient(create_app(config), base_url="https://chat.example") as client:
        lanes = Lanes(client, caplog)
        alice, bob = await register(client, "alice"), await register(client, "bob")
        path = f"{CONV}/{await direct(client, alice, bob)}/messages"
        token = (await login(client, "alice")).cookies["__Host-chatd_session"]
        client.cookies.clear()
        csrf = {"X-CSRF-Token": csrf_for(token), **JSON}
        host = {"Cookie": f"__Host-chatd_session={token}", **csrf}
        await lanes.same("GET", path, host, taken=True)
        (status, *_), took = await lanes.one(True, "POST", path, host, OK % b"h1")
        assert status == 201 and took
        status, *_ = await lanes.same("POST", path, host, OK % b"h1", taken=True)
        assert status == 200
        for cookie in (f"chatd_session={token}", f"chatd_session={token}; __Host-chatd_session={token}"):
            await lanes.same("GET", path, {"Cookie": cookie, **csrf}, taken=False)
            await lanes.same("POST", path, {"Cookie": cookie, **csrf}, OK % b"h1", taken=False)
