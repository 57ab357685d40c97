"""Typing (ttl 1 s in the test config: forwarded at most every 0.5 s) and
read receipts over real sockets."""

from __future__ import annotations

import asyncio

TTL = 1.0


def typing_frames(frames: list[dict]) -> list[dict]:
    return [f for f in frames if f["type"] == "typing"]


async def test_typing_reaches_the_others_throttled_and_expiring(api, connect):
    ann, bob, cy = await api.user("ann"), await api.user("bob"), await api.user("cy")
    conv = await api.group(ann, bob, cy)
    a, b, c = await connect(ann), await connect(bob), await connect(cy)
    for s in (a, b, c):
        await s.ready()
    await a.drain()

    ack = await a.request({"type": "typing", "conversation_id": conv})
    assert ack["forwarded"] is True
    # Keystrokes within the throttle window go nowhere.
    again = await a.request({"type": "typing", "conversation_id": conv})
    assert again["forwarded"] is False
    await a.send({"type": "typing", "conversation_id": conv})  # no id: no ack either
    for s in (b, c):
        got = typing_frames(await s.drain())
        assert got == [{"type": "typing", "conversation_id": conv, "user_id": ann.id, "expires_in": TTL}]
    assert typing_frames(await a.drain(0.2)) == []  # not echoed to the typist
    # After the window the indicator is refreshed.
    await asyncio.sleep(TTL / 2)
    assert (await a.request({"type": "typing", "conversation_id": conv}))["forwarded"] is True
    assert len(typing_frames(await b.drain())) == 1

    # Never stored: no event in the log, nothing replayed to a new socket.
    events = (await api.call(bob, "GET", "/api/v1/sync?since=0", 200)).json()["events"]
    assert all(e["type"] != "typing" for e in events)
    await asyncio.sleep(TTL)
    late = await connect(bob)
    await late.ready()
    assert typing_frames(await late.drain(0.3)) == []


async def test_typing_needs_membership_and_a_valid_frame(api, connect):
    ann, bob = await api.user("ann"), await api.user("bob")
    conv = await api.group(ann, bob)
    eve = await api.user("eve")
    e = await connect(eve)
    await e.ready()
    assert (await e.request({"type": "typing", "conversation_id": conv}))["status"] == 404
    assert (await e.request({"type": "typing"}))["status"] == 400


async def test_receipts_move_forward_only_and_reach_the_others(api, connect):
    ann, bob = await api.user("ann"), await api.user("bob")
    conv = await api.group(ann, bob)
    for i in range(3):
        await api.post(ann, conv, f"m{i}")
    a, b = await connect(ann), await connect(bob)
    await a.ready()
    await b.ready()

    ack = await b.request({"type": "read", "conversation_id": conv, "seq": 2})
    assert ack["type"] == "ack" and ack["last_read_seq"] == 2
    receipt = await a.until(lambda f: f.get("type") == "read.updated")
    assert receipt["payload"] == {"conversation_id": conv, "user_id": bob.id, "last_read_seq": 2}

    back = await b.request({"type": "read", "conversation_id": conv, "seq": 1})
    assert back["last_read_seq"] == 2  # never backwards
    over = await b.request({"type": "read", "conversation_id": conv, "seq": 99})
    assert over["last_read_seq"] == 3  # clamped to the last message
    receipts = [e["payload"]["last_read_seq"] for e in await a.events("read.updated")]
    assert receipts == [3]  # nothing for the step back
    r = await api.call(bob, "POST", f"/api/v1/conversations/{conv}/read", json={"seq": 1})
    assert r.status_code in (200, 204)
    view = (await api.call(bob, "GET", f"/api/v1/conversations/{conv}", 200)).json()
    mine = [m for m in view["members"] if m["user_id"] == bob.id][0]
    assert mine["last_read_seq"] == 3
    assert (await b.request({"type": "read", "conversation_id": conv, "seq": -1}))["status"] == 400
    assert (await b.request({"type": "read", "conversation_id": "nope", "seq": 1}))["status"] == 404
