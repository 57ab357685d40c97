"""Refused actions of a caller are logged for the administrator (ASVS
7.2.2): a 403 names the route, the code and the account, never a secret;
so do a non-member's 404s and an admin's reads (8.3.5)."""

from __future__ import annotations

import json
import logging

import pytest

from chatd.flags import FLAGS
from tests.api.account_helpers import login
from tests.api.graphql_helpers import codes, gql
from tests.api.message_helpers import CONV, MSG, direct, group, send
from tests.conftest import register
from tests.media.helpers import ATT, upload


async def test_forbidden_actions_are_logged_with_their_account(client, caplog):
    admin = await register(client, "root")
    bob = await register(client, "bob")
    r = await login(client, "bob")
    with caplog.at_level(logging.INFO, logger="chatd.access"):
        assert (await client.get("/api/v1/admin/users", headers=bob.headers)).status_code == 403
        assert (await client.patch("/api/v1/me", json={"version": 1, "bio": "x"})).status_code == 403  # no CSRF header
        assert (await client.get("/api/v1/admin/users", headers=admin.headers)).status_code == 200
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "chatd.access"]
    assert len(lines) == 3, lines  # the admin's read is the third (below)
    assert "GET /api/v1/admin/users: admin_only; account 'bob'" in lines[0]
    assert "PATCH /api/v1/me: csrf_failed" in lines[1]
    assert lines[2].startswith("admin read: ")
    assert not any(bob.token in line or r.cookies["chatd_session"] in line for line in lines)


def access_lines(caplog) -> list[logging.LogRecord]:
    return [rec for rec in caplog.records if rec.name == "chatd.access"]


async def test_a_non_members_404s_are_logged_with_user_and_resource(client, caplog):
    """ASVS 7.2.2: another's conversation, its messages or an attachment
    answer 404 (as for what does not exist) and leave one INFO line with
    the caller's id and the id asked for; a member's reads leave none."""
    alice, bob, eve = [await register(client, n) for n in ("alice", "bob", "eve")]
    conv = await direct(client, alice, bob)
    message = await send(client, conv, alice)
    attachment = await upload(client, conv, alice, b"notes")
    asked = [("conversation", conv, f"{CONV}/{conv}"), ("conversation", conv, f"{CONV}/{conv}/messages"),
             ("message", message["id"], f"{MSG}/{message['id']}"),
             ("attachment", attachment["id"], f"{ATT}/{attachment['id']}")]
    with caplog.at_level(logging.INFO, logger="chatd.access"):
        for _, _, path in asked:
            assert (await client.get(path, headers=alice.headers)).status_code == 200
        assert access_lines(caplog) == []
        for _, _, path in asked:
            assert (await client.get(path, headers=eve.headers)).status_code == 404
    records = access_lines(caplog)
    assert [rec.levelno for rec in records] == [logging.INFO] * len(asked)
    for rec, (kind, resource, path) in zip(records, asked):
        assert rec.getMessage() == f"not found for user {eve.id} ('eve'): {kind} '{resource}' (GET {path})"
        assert eve.token not in rec.getMessage()


async def test_admin_reads_are_logged_without_what_they_read(client, caplog):
    """ASVS 8.3.5: an admin reading the account list, invites, stats or
    feature flags leaves an INFO line with the admin's id and what was read;
    never the rows (an invite's code, a token)."""
    root = await register(client, "root")
    await register(client, "bob")
    code = (await client.post("/api/v1/admin/invites", json={}, headers=root.headers)).json()["code"]
    with caplog.at_level(logging.INFO, logger="chatd.access"):
        for path in ("/api/v1/admin/users?q=bo&limit=5", "/api/v1/admin/invites", "/api/v1/admin/stats",
                     "/api/v1/admin/features"):
            assert (await client.get(path, headers=root.headers)).status_code == 200
    lines = [rec.getMessage() for rec in access_lines(caplog)]
    assert lines == [f"admin read: user {root.id} ('root') read users q='bo' after='' limit=5: 1 items",
                     f"admin read: user {root.id} ('root') read invites: 1 items",
                     f"admin read: user {root.id} ('root') read stats",
                     f"admin read: user {root.id} ('root') read feature flags: {len(FLAGS)} items"]
    assert not any(code in line or root.token in line for line in lines)


@pytest.fixture
async def graphql_client(config_with):
    from litestar.testing import AsyncTestClient

    from chatd.app import create_app

    async with AsyncTestClient(create_app(config_with(features={"graphql": True}))) as client:
        yield client


async def test_graphql_refusals_are_logged_like_their_rest_twins(graphql_client, caplog):
    """ASVS 7.2.2 outside REST: a 403 inside a GraphQL answer is a WARNING
    with the field and the account, a non-member's 404 an INFO line with
    user id and the id asked for (a variable or a literal); a member's
    answers and other errors leave none."""
    client = graphql_client
    ann, bob, eve = [await register(client, n) for n in ("ann", "bob", "eve")]
    conv = await group(client, ann, bob)
    hi = await send(client, conv, ann, "Hi Bob")
    with caplog.at_level(logging.INFO, logger="chatd.access"):
        await gql(client, ann, "query($c: String!) { conversation(id: $c) { id } }", expect_errors=False, c=conv)
        await gql(client, bob, "query { nothing }", expect_errors=True)  # the query's fault, not a refusal
        assert access_lines(caplog) == []
        body = await gql(client, bob, 'mutation($c: String!) { updateConversation(conversationId: $c, version: 1, '
                                      'title: "mine") { id } }', expect_errors=True, c=conv)
        assert codes(body) == ["not_admin"]
        body = await gql(client, eve, "query($c: String!) { messages(conversationId: $c) { items { body } } }",
                         expect_errors=True, c=conv)
        assert codes(body) == ["conversation_not_found"]
        body = await gql(client, eve, f'query {{ message(id: "{hi["id"]}") {{ body }} }}', expect_errors=True)
        assert codes(body) == ["message_not_found"]
    records = access_lines(caplog)
    assert [(rec.levelno, rec.getMessage()) for rec in records] == [
        (logging.WARNING, "refused GRAPHQL /api/v1/graphql updateConversation: not_admin; account 'bob'"),
        (logging.INFO, f"not found for user {eve.id} ('eve'): conversation '{conv}' "
                       "(GRAPHQL /api/v1/graphql messages)"),
        (logging.INFO, f"not found for user {eve.id} ('eve'): message '{hi['id']}' (GRAPHQL /api/v1/graphql message)"),
    ]
    assert not any(who.token in rec.getMessage() for rec in records for who in (ann, bob, eve))


async def test_websocket_error_frames_are_logged_like_their_rest_twins(client, caplog):
    """A send refused with 403 (the other side blocked you) and a
    non-member's send and typing (404) over the WebSocket leave the same
    lines as over REST; a frame that works leaves none."""
    ann, bob, eve = [await register(client, n) for n in ("ann", "bob", "eve")]
    conv = await group(client, ann, bob)
    pair = await direct(client, ann, bob)
    await client.post("/api/v1/contacts", json={"user_id": bob.id}, headers=ann.headers)
    await client.post(f"/api/v1/contacts/{ann.id}/accept", headers=bob.headers)
    assert (await client.post(f"/api/v1/contacts/{ann.id}/block", headers=bob.headers)).status_code == 200
    with caplog.at_level(logging.INFO, logger="chatd.access"):
        for who, frames in [(ann, [{"type": "send", "id": 1, "conversation_id": conv,
                                    "client_id": "w-1", "body": "fine"},
                                   {"type": "send", "id": 2, "conversation_id": pair,
                                    "client_id": "w-2", "body": "let me"}]),
                            (eve, [{"type": "send", "id": 3, "conversation_id": conv,
                                    "client_id": "w-3", "body": "hi"},
                                   {"type": "typing", "id": 4, "conversation_id": conv}])]:
            replies = await socket_replies(client, who, frames)
            if who is eve:
                assert [(r["status"], r["code"]) for r in replies] == [(404, "conversation_not_found")] * 2
            else:
                assert [r["type"] for r in replies] == ["ack", "error"] and replies[1]["status"] == 403, replies
    records = access_lines(caplog)
    assert [(rec.levelno, rec.getMessage()) for rec in records] == [
        (logging.WARNING, "refused WS /api/v1/ws send: contact_refused; account 'ann'"),
        (logging.INFO, f"not found for user {eve.id} ('eve'): conversation '{conv}' (WS /api/v1/ws send)"),
        (logging.INFO, f"not found for user {eve.id} ('eve'): conversation '{conv}' (WS /api/v1/ws typing)"),
    ]
    assert not any(who.token in rec.getMessage() for rec in records for who in (ann, bob, eve))


async def socket_replies(client, who, frames: list[dict]) -> list[dict]:
    """Each frame's reply (ack or error) on one socket of `who`."""
    ws = await client.websocket_connect("/api/v1/ws", headers=who.headers)
    replies = []
    with ws:
        while json.loads(ws.receive_text(timeout=5))["type"] != "ready":
            pass
        for frame in frames:
            ws.send_text(json.dumps(frame))
            while True:
                reply = json.loads(ws.receive_text(timeout=5))
                if reply.get("id") == frame["id"] and reply["type"] in {"ack", "error"}:
                    replies.append(reply)
                    break
    return replies


async def test_a_disabled_accounts_socket_is_logged_like_its_requests(client, caplog):
    """The WebSocket handshake's 403 (a disabled account) leaves the line a
    REST request of the same token leaves."""
    admin = await register(client, "admin")
    bob = await register(client, "bob")
    assert (await client.post(f"/api/v1/admin/users/{bob.id}/disable", headers=admin.headers)).status_code == 200
    with caplog.at_level(logging.INFO, logger="chatd.access"):
        assert (await client.get("/api/v1/me", headers=bob.headers)).status_code == 403
        ws = await client.websocket_connect("/api/v1/ws", headers=bob.headers)
        with ws:
            error = json.loads(ws.receive_text(timeout=5))
        assert (error["type"], error["code"]) == ("error", "account_disabled")
    lines = [rec.getMessage() for rec in access_lines(caplog)]
    assert lines == ["refused GET /api/v1/me: account_disabled; account None",
                     "refused WS /api/v1/ws: account_disabled; account None"]
