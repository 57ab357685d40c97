"""Membership is checked for every event delivered, not only at connect."""

from __future__ import annotations


async def test_a_removed_member_stops_receiving_at_once(api, connect):
    ann, bob, cy = await api.user("ann"), await api.user("bob"), await api.user("cy")
    conv = await api.group(ann, bob, cy)
    b, c = await connect(bob), await connect(cy)
    await b.ready()
    await c.ready()
    await api.post(ann, conv, "everyone")
    assert len(await c.events("message.created")) == 1
    assert len(await b.events("message.created")) == 1

    await api.call(ann, "DELETE", f"/api/v1/conversations/{conv}/members/{cy.id}", 204)
    left = await c.until(lambda f: f.get("type") == "member.left")
    assert left["payload"]["user_id"] == cy.id and left["conversation_id"] == conv
    secret = await api.post(ann, conv, "now that cy is gone")

    assert [e["payload"]["id"] for e in await b.events("message.created")] == [secret["id"]]
    frames_for_cy = await c.drain()
    assert not [f for f in frames_for_cy if f.get("conversation_id") == conv and f["type"] != "member.left"]
    # Nor anything ephemeral of that conversation, nor a way back in by typing.
    refused = await c.request({"type": "typing", "conversation_id": conv})
    assert refused["type"] == "error" and refused["status"] == 404
    await b.request({"type": "typing", "conversation_id": conv})
    assert not [f for f in await c.drain() if f["type"] == "typing"]
    # And not on a new socket or over REST sync either.
    c2 = await connect(cy, since="0")
    replayed, _ = await c2.ready()
    assert secret["id"] not in [e["payload"].get("id") for e in replayed]


async def test_someone_added_sees_the_conversation_from_then_on(api, connect):
    ann, bob, dee = await api.user("ann"), await api.user("bob"), await api.user("dee")
    conv = await api.group(ann, bob)
    d = await connect(dee)
    await d.ready()
    await api.post(ann, conv, "before dee")
    assert await d.events() == []
    await api.call(ann, "POST", f"/api/v1/conversations/{conv}/members", 200, json={"user_ids": [dee.id]})
    joined = await d.until(lambda f: f.get("type") == "member.joined")
    assert joined["payload"]["user_id"] == dee.id
    hello = await api.post(bob, conv, "welcome dee")
    assert [e["payload"]["id"] for e in await d.events("message.created")] == [hello["id"]]


async def test_a_user_with_two_sockets_leaving_stops_both(api, connect):
    ann, bob = await api.user("ann"), await api.user("bob")
    conv = await api.group(ann, bob)
    tabs = [await connect(bob), await connect(bob, how="frame")]
    for t in tabs:
        await t.ready()
    await api.call(bob, "DELETE", f"/api/v1/conversations/{conv}/members/{bob.id}", 204)
    await api.post(ann, conv, "bob left")
    for t in tabs:
        kinds = [e["type"] for e in await t.events()]
        assert kinds == ["member.left"]
