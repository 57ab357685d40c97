"""GET /api/v1/sync: cursors, paging, visibility, retention."""

from __future__ import annotations

from datetime import timedelta

from chatd import clock
from tests.conftest import register


async def group(client, owner, *others) -> str:
    r = await client.post("/api/v1/conversations", headers=owner.headers,
                          json={"kind": "group", "title": "g", "member_ids": [o.id for o in others]})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def post(client, who, conv, body: str) -> dict:
    r = await client.post(f"/api/v1/conversations/{conv}/messages", headers=who.headers,
                          json={"client_id": f"c{body}", "body": body})
    assert r.status_code == 201, r.text
    return r.json()


async def sync(client, who, **params):
    return await client.get("/api/v1/sync", headers=who.headers, params=params)


async def test_without_a_cursor_only_the_head(client):
    ann, bob = await register(client, "ann"), await register(client, "bob")
    conv = await group(client, ann, bob)
    await post(client, ann, conv, "one")
    r = await sync(client, bob)
    assert r.status_code == 200
    body = r.json()
    assert body["events"] == [] and body["more"] is False
    events = (await sync(client, bob, since="0")).json()["events"]
    assert body["next"] == str(events[-1]["seq"])  # the head: nothing after it yet
    assert (await sync(client, bob, since=body["next"])).json()["events"] == []


async def test_events_in_order_then_paged(client):
    ann, bob = await register(client, "ann"), await register(client, "bob")
    conv = await group(client, ann, bob)
    sent = [await post(client, ann, conv, f"m{i}") for i in range(5)]
    everything = (await sync(client, bob, since="0")).json()
    kinds = [e["type"] for e in everything["events"]]
    assert kinds == ["conversation.created", "member.joined", "member.joined"] + ["message.created"] * 5
    first = everything["events"][3]
    assert set(first) == {"seq", "type", "conversation_id", "payload", "created_at"}
    assert first["payload"]["id"] == sent[0]["id"] and first["conversation_id"] == conv

    got, cursor = [], "0"
    while True:
        page = (await sync(client, bob, since=cursor, limit=3)).json()
        got += [e["seq"] for e in page["events"]]
        cursor = page["next"]
        if not page["more"]:
            break
    assert got == [e["seq"] for e in everything["events"]] and cursor == everything["next"]


async def test_nobody_sees_anyone_elses_events(client):
    ann, bob, eve = await register(client, "ann"), await register(client, "bob"), await register(client, "eve")
    conv = await group(client, ann, bob)
    await post(client, ann, conv, "private")
    assert (await sync(client, eve, since="0")).json()["events"] == []
    r = await client.get("/api/v1/sync?since=0")
    assert r.status_code == 401


async def test_garbage_cursors_and_limits_are_400(client):
    ann = await register(client, "ann")
    for since in ("abc", "-1", "1.5", " 1", "9" * 19, "0x10", ""):
        r = await sync(client, ann, since=since)
        assert r.status_code == 400, since
        assert r.headers["content-type"] == "application/problem+json"
    assert (await sync(client, ann, since="1" * 40)).status_code == 400
    for limit in ("0", "1001", "many"):
        assert (await sync(client, ann, since="0", limit=limit)).status_code == 400
    assert (await sync(client, ann, since="abc")).json()["code"] == "invalid_cursor"


async def test_a_cursor_from_elsewhere_is_gone(client):
    ann = await register(client, "ann")
    r = await sync(client, ann, since="123456789")
    assert r.status_code == 410
    problem = r.json()
    assert problem["code"] == "cursor_unknown" and "conversations" in problem["refetch"]


async def test_a_cursor_older_than_retention_is_gone(client):
    ann, bob = await register(client, "ann"), await register(client, "bob")
    conv = await group(client, ann, bob)
    for i in range(4):
        await post(client, ann, conv, f"old{i}")
    old_cursor = "2"
    # The app runs on the test client's own loop (a portal thread): its
    # stores are used there.
    events, portal = client.app.state.runtime.stores.events, client.blocking_portal
    assert portal.call(events.prune, clock.now() + timedelta(seconds=1)) > 0
    oldest = portal.call(events.oldest)

    r = await sync(client, bob, since=old_cursor)
    assert r.status_code == 410 and r.json()["code"] == "cursor_expired"
    assert r.json()["refetch"] == ["me", "contacts", "conversations", "messages"]
    # Still complete: just below the oldest retained event, or a fresh head.
    assert (await sync(client, bob, since=str(oldest - 1))).status_code == 200
    head = (await sync(client, bob)).json()["next"]
    fresh = await post(client, ann, conv, "new")
    page = (await sync(client, bob, since=head)).json()
    assert [e["payload"]["id"] for e in page["events"]] == [fresh["id"]]
