"""Presence over real sockets (grace period 0.6 s in the test config)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.realtime.conftest import Api, Sock, start_server

GRACE = 0.6


def presence_of(user) -> callable:
    return lambda f: f.get("type") == "presence" and f.get("user_id") == user.id


async def presences(sock, user, quiet: float = 0.3) -> list[str]:
    return [f["state"] for f in await sock.drain(quiet) if presence_of(user)(f)]


async def watched(api, connect):
    """ann, and bob watching her from a shared conversation."""
    ann, bob = await api.user("ann"), await api.user("bob")
    await api.group(ann, bob)
    b = await connect(bob)
    b.user = bob  # who is watching, for REST calls as them
    await b.ready()
    return ann, b


async def test_online_with_any_tab_offline_after_the_last_and_the_grace(api, connect):
    ann, b = await watched(api, connect)
    tab1 = await connect(ann)
    await tab1.ready()
    online = await b.until(presence_of(ann))
    assert online == {"type": "presence", "user_id": ann.id, "state": "online", "last_seen_at": None}
    profile = await api.call(b.user, "GET", f"/api/v1/users/{ann.id}", 200)
    assert profile.json()["presence"] == "online"
    stranger = await api.user("stranger")
    assert (await api.call(stranger, "GET", f"/api/v1/users/{ann.id}", 200)).json()["presence"] is None
    tab2 = await connect(ann, how="subprotocol")
    await tab2.ready()
    await tab1.close()
    assert await presences(b, ann) == []  # still online through tab2

    await tab2.close()
    assert await presences(b, ann, quiet=GRACE / 3) == []  # inside the grace period
    offline = await b.until(presence_of(ann), timeout=GRACE * 4)
    assert offline["state"] == "offline" and offline["last_seen_at"] is None  # not shared by default
    assert (await api.call(b.user, "GET", f"/api/v1/users/{ann.id}", 200)).json()["presence"] == "offline"
    me = (await api.call(ann, "GET", "/api/v1/me", 200)).json()
    assert me["last_seen_at"] is not None


async def test_a_reconnect_inside_the_grace_period_does_not_flap(api, connect):
    ann, b = await watched(api, connect)
    tab = await connect(ann)
    await tab.ready()
    assert (await b.until(presence_of(ann)))["state"] == "online"
    await tab.close()
    await asyncio.sleep(GRACE / 3)
    again = await connect(ann)
    await again.ready()
    assert await presences(b, ann, quiet=GRACE * 2) == []


async def test_away_when_every_tab_says_so(api, connect):
    ann, b = await watched(api, connect)
    tab1 = await connect(ann)
    await tab1.ready()
    assert await presences(b, ann) == ["online"]
    ack = await tab1.request({"type": "presence", "state": "away"})
    assert ack == {"type": "ack", "id": ack["id"], "state": "away"}
    assert await presences(b, ann) == ["away"]
    tab2 = await connect(ann)
    await tab2.ready()
    assert await presences(b, ann) == ["online"]  # one tab is in use
    await tab2.close()
    assert await presences(b, ann) == ["away"]
    await tab1.request({"type": "presence", "state": "online"})
    assert await presences(b, ann) == ["online"]
    bad = await tab1.request({"type": "presence", "state": "offline"})
    assert bad["type"] == "error" and bad["status"] == 400


async def test_a_new_socket_learns_who_is_online(api, connect):
    ann, bob = await api.user("ann"), await api.user("bob")
    await api.group(ann, bob)
    a = await connect(ann)
    await a.ready()
    b = await connect(bob)
    await b.ready()
    assert (await b.until(presence_of(ann)))["state"] == "online"


async def test_presence_only_for_people_around_and_never_across_a_block(api, connect):
    ann, friend, stranger, blocked = (await api.user("ann"), await api.user("fr"), await api.user("st"),
                                      await api.user("bl"))
    await api.call(friend, "POST", "/api/v1/contacts", 201, json={"user_id": ann.id})
    await api.call(ann, "POST", f"/api/v1/contacts/{friend.id}/accept", 200)
    await api.group(ann, blocked)
    await api.call(ann, "POST", f"/api/v1/contacts/{blocked.id}/block", 200)
    watchers = {u.name: await connect(u) for u in (friend, stranger, blocked)}
    for w in watchers.values():
        await w.ready()
    a = await connect(ann)
    await a.ready()
    assert await presences(watchers[friend.name], ann) == ["online"]  # an accepted contact, no shared chat
    assert await presences(watchers[stranger.name], ann) == []
    assert await presences(watchers[blocked.name], ann) == []  # shares a group, but is blocked
    # The other way round too: ann sees nothing of the user she blocked.
    assert not [f for f in await a.drain() if presence_of(blocked)(f)]


async def test_last_seen_is_shown_when_the_user_allows_it(api, connect):
    ann, b = await watched(api, connect)
    await api.call(ann, "PATCH", "/api/v1/me", 200, json={"version": 1, "preferences": {"share_last_seen": True}})
    tab = await connect(ann)
    await tab.ready()
    await b.until(presence_of(ann))
    await tab.close()
    offline = await b.until(presence_of(ann), timeout=GRACE * 4)
    assert offline["state"] == "offline" and offline["last_seen_at"].endswith("Z")


@pytest.fixture
def away_server(request: pytest.FixtureRequest, tmp_path: Path):
    server = start_server(request, tmp_path / "away", away_after_seconds=0.8)
    yield server
    server.stop()


async def test_a_user_who_does_nothing_shows_away_until_they_act(away_server):
    api = Api(away_server.url)
    try:
        ann, bob = await api.user("ann"), await api.user("bob")
        conv = await api.group(ann, bob)
        b = await Sock.open(away_server.url, bob)
        await b.ready()
        a = await Sock.open(away_server.url, ann)
        await a.ready()
        assert (await b.until(presence_of(ann)))["state"] == "online"
        await a.request({"type": "ping"})  # a heartbeat is not activity
        assert (await b.until(presence_of(ann), timeout=3))["state"] == "away"
        await a.request({"type": "typing", "conversation_id": conv})
        assert (await b.until(presence_of(ann)))["state"] == "online"
        # Saying "away" yourself sticks: activity does not undo it.
        await a.request({"type": "presence", "state": "away"})
        assert (await b.until(presence_of(ann)))["state"] == "away"
        await a.request({"type": "send", "conversation_id": conv, "client_id": "act", "body": "still away"})
        assert await presences(b, ann, quiet=1.2) == []
        for s in (a, b):
            await s.close()
    finally:
        await api.http.aclose()


async def test_saying_online_after_going_away_by_the_clock_restarts_the_clock(away_server):
    api = Api(away_server.url)
    try:
        ann, bob = await api.user("ann"), await api.user("bob")
        await api.group(ann, bob)
        b = await Sock.open(away_server.url, bob)
        await b.ready()
        a = await Sock.open(away_server.url, ann)
        await a.ready()
        assert (await b.until(presence_of(ann)))["state"] == "online"
        assert (await b.until(presence_of(ann), timeout=3))["state"] == "away"
        await a.request({"type": "presence", "state": "online"})
        assert (await b.until(presence_of(ann)))["state"] == "online"
        # Not straight back to away: the idle clock started again (0.8 s here).
        assert await presences(b, ann, quiet=0.5) == []
        for s in (a, b):
            await s.close()
    finally:
        await api.http.aclose()


@pytest.fixture(scope="module")
def capped_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Presence only within conversations of at most 3 members."""
    server = start_server(request, tmp_path_factory.mktemp("capped"), presence_max_members=3)
    yield server
    server.stop()


async def test_presence_skips_large_groups_but_not_contacts_or_small_ones(capped_server):
    api = Api(capped_server.url)
    opened: list[Sock] = []
    try:
        ann, pal, small, big1, big2 = [await api.user(n) for n in ("ann", "pal", "sm", "bg", "bg")]
        await api.group(ann, pal, big1, big2)  # 4 members: over the cap of 3
        await api.group(ann, small)  # 2 members: under it
        await api.call(pal, "POST", "/api/v1/contacts", 201, json={"user_id": ann.id})
        await api.call(ann, "POST", f"/api/v1/contacts/{pal.id}/accept", 200)
        watchers = {}
        for u in (pal, small, big1):
            watchers[u.id] = s = await Sock.open(capped_server.url, u)
            opened.append(s)
            await s.ready()
        a = await Sock.open(capped_server.url, ann)
        opened.append(a)
        await a.ready()
        assert await presences(watchers[small.id], ann) == ["online"]  # a small conversation
        assert await presences(watchers[pal.id], ann) == ["online"]  # a contact, though they share only the big group
        assert await presences(watchers[big1.id], ann) == []  # only the big group in common
        seen = {f["user_id"] for f in await a.drain() if f.get("type") == "presence"}
        assert seen == {pal.id, small.id}  # the same rule the other way round
        assert (await api.call(big1, "GET", f"/api/v1/users/{ann.id}", 200)).json()["presence"] is None
        assert (await api.call(small, "GET", f"/api/v1/users/{ann.id}", 200)).json()["presence"] == "online"

        # A block hides it both ways, contact or not.
        await api.call(pal, "POST", f"/api/v1/contacts/{ann.id}/block", 200)
        await a.close()
        assert await presences(watchers[pal.id], ann, quiet=GRACE * 3) == []
        assert await presences(watchers[small.id], ann, quiet=GRACE * 3) == ["offline"]
        a2 = await Sock.open(capped_server.url, ann)
        opened.append(a2)
        await a2.ready()
        assert await presences(watchers[pal.id], ann) == []
        assert not [f for f in await a2.drain() if presence_of(pal)(f)]
        assert (await api.call(ann, "GET", f"/api/v1/users/{pal.id}", 200)).json()["presence"] is None
    finally:
        for s in opened:
            await s.close()
        await api.http.aclose()
