"""GraphQL subscriptions over graphql-transport-ws on a served chatd: the
same events as the socket gateway, membership re-checked, and a dropped
connection resumed from a cursor exactly once."""

from __future__ import annotations

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.realtime.gql_socket import GqlSocket

EVENTS = """subscription($since: String) { events(since: $since) { seq type cursor conversationId payload } }"""


@pytest.fixture
async def graphql_on(server, api):
    await api.call(server.root, "PUT", "/api/v1/admin/features/graphql", 200, json={"state": "on"})
    yield
    await api.call(server.root, "PUT", "/api/v1/admin/features/graphql", 200, json={"state": "off"})


def bodies(payloads):
    return [p["data"]["events"]["payload"]["body"] for p in payloads if p["data"]["events"]["type"] == "message.created"]


async def test_a_dropped_subscription_resumes_exactly_once(server, api, graphql_on):
    ann, bob = await api.user("ann"), await api.user("bob")
    conv = await api.group(ann, bob)
    since = await api.head(bob)
    sock = await GqlSocket.open(server.url, bob.token)
    await sock.acked()
    await sock.subscribe("s1", EVENTS, {"since": since})
    for i in range(3):
        await api.post(ann, conv, f"live {i}")
    got = await sock.nexts(3)
    assert bodies(got) == ["live 0", "live 1", "live 2"]
    cursor = got[-1]["data"]["events"]["cursor"]
    sock.ws.transport.abort()  # the network drops: no close handshake

    for i in range(2):
        await api.post(ann, conv, f"missed {i}")
    again = await GqlSocket.open(server.url, bob.token, in_payload=True)
    await again.acked()
    await again.subscribe("s2", EVENTS, {"since": cursor})
    replayed = await again.nexts(2)
    await api.post(ann, conv, "after")
    live = await again.nexts(1)
    assert bodies(replayed + live) == ["missed 0", "missed 1", "after"]
    assert await again.quiet() == []  # nothing twice
    seqs = [p["data"]["events"]["seq"] for p in got + replayed + live]
    assert seqs == sorted(set(seqs))
    await again.close()


async def test_a_removed_member_stops_getting_the_conversation(server, api, graphql_on):
    ann, cy = await api.user("ann"), await api.user("cy")
    conv = await api.group(ann, cy)
    sock = await GqlSocket.open(server.url, cy.token)
    await sock.acked()
    await sock.subscribe("s", EVENTS, {"since": await api.head(cy)})
    await api.post(ann, conv, "for everyone")
    assert bodies(await sock.nexts(1)) == ["for everyone"]
    await api.call(ann, "DELETE", f"/api/v1/conversations/{conv}/members/{cy.id}", 204)
    await api.post(ann, conv, "not for cy")
    seen = await sock.quiet(1.0)
    assert not [m for m in seen if "not for cy" in str(m)]
    await sock.close()


async def test_credentials_and_the_flag_are_checked(server, api):
    bob = await api.user("bob")
    off = await GqlSocket.open(server.url, bob.token)  # graphql is off for bob
    with pytest.raises(ConnectionClosed) as closed:
        await off.receive()
    assert closed.value.rcvd.code == 4404
    nobody = await GqlSocket.open(server.url, "not-a-token", in_payload=True)
    with pytest.raises(ConnectionClosed) as closed:
        await nobody.receive()
    assert closed.value.rcvd.code == 4403


async def test_turning_the_flag_off_ends_a_subscription_before_the_next_event(server, api, graphql_on):
    ann, bob = await api.user("ann"), await api.user("bob")
    conv = await api.group(ann, bob)
    sock = await GqlSocket.open(server.url, bob.token)
    await sock.acked()
    await sock.subscribe("s", EVENTS, {"since": await api.head(bob)})
    await api.post(ann, conv, "while on")
    assert bodies(await sock.nexts(1)) == ["while on"]
    await api.call(server.root, "PUT", "/api/v1/admin/features/graphql", 200, json={"state": "off"})
    await api.post(ann, conv, "after it went off")
    ended = await sock.receive()
    assert ended["type"] == "next" and ended["payload"]["errors"][0]["extensions"]["code"] == "feature_disabled"
    assert "after it went off" not in str(ended)
    assert (await sock.receive())["type"] == "complete"
    await sock.close()


async def test_protocol_mistakes_get_the_protocols_answers(server, api, graphql_on):
    bob = await api.user("bob")
    sock = await GqlSocket.open(server.url, bob.token)
    await sock.acked()
    await sock.send({"type": "ping"})
    assert (await sock.receive())["type"] == "pong"
    await sock.subscribe("q", "{ me { username } }")  # a query: the POST's job
    refused = await sock.receive()
    assert (refused["id"], refused["type"]) == ("q", "error")
    assert refused["payload"][0]["extensions"]["code"] == "graphql_invalid"
    await sock.subscribe("bad", "subscription { nope }")
    invalid = await sock.receive()
    assert invalid["type"] == "error" and invalid["payload"][0]["extensions"]["code"] == "graphql_invalid"
    await sock.subscribe("ahead", EVENTS, {"since": "999999999"})
    gone = await sock.receive()  # a cursor beyond the log's head: /sync's 410 cursor_unknown
    assert gone["type"] == "error" and gone["payload"][0]["extensions"]["code"] == "cursor_unknown"
    await sock.subscribe("s", EVENTS)
    await sock.subscribe("s", EVENTS)  # the same id while the first runs
    with pytest.raises(ConnectionClosed) as closed:
        await sock.receive()
    assert closed.value.rcvd.code == 4409


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("message", [
    '{"type":"ping","payload":' + DEEP + "}",   # was a RecursionError: 1011 and a stack trace
    '{"type":"ping","payload":"' + "x" * (1 << 20) + '"}',  # a ping, but over the 1 MiB frame limit
    b"\xff\xfe not text",                          # a binary frame
], ids=["deep", "huge", "binary"])
async def test_a_hostile_message_closes_4400_and_others_live_on(server, api, graphql_on, message):
    bob, ann = await api.user("bob"), await api.user("ann")
    other = await GqlSocket.open(server.url, ann.token)
    await other.acked()
    sock = await GqlSocket.open(server.url, bob.token)
    await sock.acked()
    await sock.ws.send(message)
    with pytest.raises(ConnectionClosed) as closed:
        await sock.receive()
    assert closed.value.rcvd.code == 4400
    await other.send({"type": "ping"})
    assert (await other.receive())["type"] == "pong"
    assert "Traceback" not in server.log_tail(200)


async def test_deep_json_before_the_ack_closes_4401(server, api, graphql_on):
    bob = await api.user("bob")
    target = server.url.replace("http", "ws", 1) + "/api/v1/graphql"
    async with websockets.connect(target, subprotocols=["graphql-transport-ws"],
                                  additional_headers={"Authorization": f"Bearer {bob.token}"}) as ws:
        await ws.send('{"type":"connection_init","payload":' + DEEP + "}")
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd.code == 4401
    assert "Traceback" not in server.log_tail(200)
