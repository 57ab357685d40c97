"""Messages over real sockets: live delivery between two and three users,
the same validation and idempotency as REST, and exact resume with `since`."""

from __future__ import annotations

import asyncio


def send(conv: str, body: str, client_id: str) -> dict:
    return {"type": "send", "conversation_id": conv, "client_id": client_id, "body": body}


async def test_two_users_exchange_messages(api, connect):
    ann, bob = await api.user("ann"), await api.user("bob")
    conv = await api.group(ann, bob)
    a, b = await connect(ann), await connect(bob, how="subprotocol")
    hello = await a.frame()
    assert hello["type"] == "hello" and hello["user_id"] == ann.id and hello["idle_timeout"] == 10.0
    await a.ready()
    await b.ready()
    assert b.ws.subprotocol == "chatd"

    ack = await a.request(send(conv, "hello bob", "m1"))
    assert ack["type"] == "ack" and ack["created"] is True
    message = ack["message"]
    assert message["body"] == "hello bob" and message["sender_id"] == ann.id and message["seq"] == 1

    got = await b.until(lambda f: f.get("type") == "message.created")
    assert set(got) == {"seq", "type", "conversation_id", "payload", "created_at"}
    assert got["conversation_id"] == conv and got["payload"] == message
    # The sender's own sockets get the event too (other tabs stay in step).
    mine = await a.until(lambda f: f.get("type") == "message.created")
    assert mine == got

    reply = (await b.request(send(conv, "hi ann", "m2")))["message"]
    echoed = await a.until(lambda f: f.get("type") == "message.created")
    assert echoed["payload"]["id"] == reply["id"] and echoed["seq"] > got["seq"]


async def test_three_users_see_one_order(api, connect):
    ann, bob, cy = await api.user("ann"), await api.user("bob"), await api.user("cy")
    conv = await api.group(ann, bob, cy)
    socks = [await connect(u) for u in (ann, bob, cy)]
    for s in socks:
        await s.ready()
    for j in range(3):  # interleaved: all nine in flight at once
        for i, s in enumerate(socks):
            await s.send({**send(conv, f"from {i}", f"x{i}-{j}"), "id": f"{i}-{j}"})
    orders = []
    for s in socks:
        events = await s.collect("message.created", 9)
        orders.append([(e["seq"], e["payload"]["seq"], e["payload"]["body"]) for e in events])
    assert len(orders[0]) == 9 and orders[0] == orders[1] == orders[2]
    assert [o[1] for o in orders[0]] == list(range(1, 10))  # gap-free message seqs, in event order
    assert [o[0] for o in orders[0]] == sorted(o[0] for o in orders[0])


async def test_socket_send_has_rest_validation_and_idempotency(api, connect):
    ann, bob, eve = await api.user("ann"), await api.user("bob"), await api.user("eve")
    conv = await api.group(ann, bob)
    a, e = await connect(ann), await connect(eve)
    await a.ready()
    await e.ready()
    first = await a.request(send(conv, "once", "same-id"))
    again = await a.request(send(conv, "once", "same-id"))
    assert first["created"] is True and again["created"] is False
    assert again["message"]["id"] == first["message"]["id"]
    rest = await api.call(ann, "POST", f"/api/v1/conversations/{conv}/messages",
                          json={"client_id": "same-id", "body": "once"})
    assert rest.status_code == 200 and rest.json()["id"] == first["message"]["id"]

    empty = await a.request(send(conv, "   ", "blank"))
    assert empty["type"] == "error" and empty["status"] == 400 and empty["code"] == "empty_body"
    long = await a.request(send(conv, "x" * 8001, "long"))
    assert long["status"] == 413 and long["code"] == "message_too_long"
    bad_id = await a.request(send(conv, "hi", "no spaces"))
    assert bad_id["status"] == 400 and "client_id" in bad_id["detail"]
    extra = await a.request({**send(conv, "hi", "extra"), "colour": "red"})
    assert extra["status"] == 400 and "colour" in extra["detail"]
    stranger = await e.request(send(conv, "let me in", "e1"))
    assert stranger["status"] == 404  # a conversation you are not in does not exist for you
    unknown = await a.request(send("no-such-conversation", "hi", "u1"))
    assert unknown["status"] == 404
    history = (await api.call(bob, "GET", f"/api/v1/conversations/{conv}/messages", 200)).json()["items"]
    assert [m["body"] for m in history] == ["once"]


async def test_resume_after_missing_100_events_gives_exactly_those(api, connect):
    ann, bob = await api.user("ann"), await api.user("bob")
    conv = await api.group(ann, bob)
    b = await connect(bob)
    _, cursor = await b.ready()
    await b.close()
    sent = [await api.post(ann, conv, f"m{i}") for i in range(100)]

    b2 = await connect(bob, since=cursor)
    replayed, new_cursor = await b2.ready()
    assert [e["payload"]["id"] for e in replayed] == [m["id"] for m in sent]
    assert len({e["seq"] for e in replayed}) == 100 and int(new_cursor) == replayed[-1]["seq"]
    live = await api.post(ann, conv, "after")
    assert [e["payload"]["id"] for e in await b2.events("message.created")] == [live["id"]]


async def test_resume_while_messages_keep_coming_misses_nothing_and_repeats_nothing(api, connect):
    ann, bob = await api.user("ann"), await api.user("bob")
    conv = await api.group(ann, bob)
    b = await connect(bob)
    _, cursor = await b.ready()
    await b.close()
    before = [await api.post(ann, conv, f"b{i}") for i in range(30)]

    async def keep_sending() -> list[dict]:
        return [await api.post(ann, conv, f"d{i}") for i in range(40)]

    during = asyncio.create_task(keep_sending())
    await asyncio.sleep(0.05)
    b2 = await connect(bob, since=cursor)
    sent = before + await during
    got = await b2.collect("message.created", len(sent))
    assert [e["payload"]["id"] for e in got] == [m["id"] for m in sent]


async def test_unknown_cursor_is_refused_with_resync(api, connect):
    bob = await api.user("bob")
    s = await connect(bob, since="999999999")
    code, reason, seen = await s.closed()
    assert code == 4410 and reason == "cursor_unknown"
    error = [f for f in seen if f["type"] == "error"][0]
    assert error["status"] == 410 and error["code"] == "cursor_unknown" and "refetch" in error
    s2 = await connect(bob, since="12abc")
    code, _, seen = await s2.closed()
    assert code == 4400 and seen[-1]["code"] == "invalid_cursor"
