"""Conversations on both engines: direct uniqueness (also under concurrent
creation), groups and their members, roles and ownership, read markers, and
who each event is addressed to."""

import asyncio
import uuid

import msgspec
import pytest

from chatd import clock
from chatd.config import Config
from chatd.domain import User
from chatd.errors import Conflict, Forbidden, Invalid, NotFound
from chatd.services.contacts import ContactService
from chatd.services.conversations import ConversationService
from chatd.services.features import Features
from chatd.storage.ports.messages import Draft

NAMES = ("ann", "bob", "cy", "dee", "eve")


@pytest.fixture
def stores(message_stores):
    """Every adapter of the conversation side (tests/conftest.py MESSAGE_ADAPTERS)."""
    return message_stores


async def person(stores, name: str) -> str:
    at = clock.now()
    user = User(id=f"id-{name}", username=name, display_name=name.title(), created_at=at, updated_at=at)
    return (await stores.users.create(user, "x")).id


async def events(stores, *types: str) -> list[tuple[str, str | None, str | None, dict]]:
    notes = await stores.events.between(0, await stores.events.latest(), 1_000_000)
    return [
        (n.event.type, n.event.conversation_id, n.user_id, n.event.payload)
        for n in notes
        if not types or n.event.type in types
    ]


async def send(stores, conversation_id: str, sender: str, n: int = 1) -> None:
    for _ in range(n):
        draft = Draft(conversation_id=conversation_id, sender_id=sender, client_id=uuid.uuid4().hex, body="hi")
        await stores.messages.append(draft)


@pytest.fixture
async def world(stores):
    contacts = ContactService(stores.contacts, stores.users)
    features = Features(Config(), stores.flags, stores.users)
    svc = ConversationService(Config(), stores.conversations, stores.users, stores.messages, contacts, features)
    users = [await person(stores, n) for n in NAMES]
    return svc, users


async def test_direct_is_unique_per_pair_even_when_created_concurrently(stores, world):
    svc, (ann, bob, cy, *_) = world
    results = await asyncio.gather(*[svc.open_direct(ann, bob) for _ in range(5)],
                                   *[svc.open_direct(bob, ann) for _ in range(5)])
    assert len({conv.id for conv, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    conv = results[0][0]
    assert conv.kind == "direct" and conv.title == ""
    assert {m.user_id for m in await stores.conversations.members(conv.id)} == {ann, bob}
    assert len(await events(stores, "conversation.created")) == 1
    joined = await events(stores, "member.joined")
    assert {(c, to, p["user_id"]) for _, c, to, p in joined} == {(conv.id, None, ann), (conv.id, None, bob)}
    other, created = await svc.open_direct(ann, cy)
    assert created and other.id != conv.id


async def test_direct_refusals(stores, world):
    svc, (ann, bob, cy, *_) = world
    with pytest.raises(Invalid):
        await svc.open_direct(ann, ann)
    with pytest.raises(NotFound):
        await svc.open_direct(ann, "nobody")
    await svc.open_direct(ann, bob)
    await svc.contacts.block(bob, ann)
    for who, other, code in ((ann, bob, "contact_refused"), (bob, ann, "contact_blocked"), (cy, bob, None)):
        if code is None:
            await svc.open_direct(who, other)
            continue
        with pytest.raises(Forbidden) as err:  # existing or not: the same refusal
            await svc.open_direct(who, other)
        assert err.value.code == code


async def test_group_creation_members_and_events(stores, world):
    svc, (ann, bob, cy, *_) = world
    with pytest.raises(Invalid):
        await svc.create_group(ann, title=" \n\t ", member_ids=[bob])
    with pytest.raises(Invalid):
        await svc.create_group(ann, title="x" * 201, member_ids=[bob])
    with pytest.raises(NotFound) as err:
        await svc.create_group(ann, title="T", member_ids=[bob, "nobody"])
    assert err.value.extra == {"user_ids": ["nobody"]}
    conv = await svc.create_group(ann, title="  Team\u0007 chat ", member_ids=[bob, cy, bob, ann], topic="t")
    assert (conv.title, conv.topic, conv.kind, conv.created_by, conv.version) == ("Team chat", "t", "group", ann, 1)
    members = {m.user_id: m.role for m in await stores.conversations.members(conv.id)}
    assert members == {ann: "owner", bob: "member", cy: "member"}
    created = await events(stores, "conversation.created")
    assert [(c, to, p["id"]) for _, c, to, p in created] == [(conv.id, None, conv.id)]
    assert len(await events(stores, "member.joined")) == 3


async def test_list_orders_by_activity_with_unread_and_last_message(stores, world):
    svc, (ann, bob, cy, *_) = world
    first = await svc.create_group(ann, title="first", member_ids=[bob])
    await asyncio.sleep(0.003)
    second, _ = await svc.open_direct(ann, cy)
    await asyncio.sleep(0.003)
    third = await svc.create_group(bob, title="third", member_ids=[ann])
    assert [o.conversation.id for o in await svc.list_for(ann)] == [third.id, second.id, first.id]
    await asyncio.sleep(0.003)
    await send(stores, first.id, bob, 3)
    listed = await svc.list_for(ann)
    assert [o.conversation.id for o in listed] == [first.id, third.id, second.id]
    top = listed[0]
    assert (top.unread, top.last_message.seq, top.last_message.sender_id) == (3, 3, bob)
    assert {m.user_id for m in top.members} == {ann, bob} and top.users[bob].username == "bob"
    assert listed[1].last_message is None and listed[1].unread == 0
    bob_view = next(o for o in await svc.list_for(bob) if o.conversation.id == first.id)
    assert bob_view.unread == 0  # own sends are read
    assert [o.conversation.id for o in await svc.list_for(cy)] == [second.id]


async def test_read_marker_moves_forward_only_and_clamps(stores, world):
    svc, (ann, bob, cy, *_) = world
    conv, _ = await svc.open_direct(ann, bob)
    await send(stores, conv.id, bob, 5)
    base = len(await events(stores, "read.updated"))
    assert (await svc.mark_read(ann, conv.id, 3)).last_read_seq == 3
    assert (await svc.mark_read(ann, conv.id, 1)).last_read_seq == 3  # never back
    assert (await svc.mark_read(ann, conv.id, 3)).last_read_seq == 3
    assert (await svc.mark_read(ann, conv.id, 10**12)).last_read_seq == 5  # clamped to last_seq
    reads = (await events(stores, "read.updated"))[base:]
    assert [(c, to, p) for _, c, to, p in reads] == [
        (conv.id, None, {"conversation_id": conv.id, "user_id": ann, "last_read_seq": 3}),
        (conv.id, None, {"conversation_id": conv.id, "user_id": ann, "last_read_seq": 5}),
    ]
    with pytest.raises(NotFound):
        await svc.mark_read(cy, conv.id, 1)
    with pytest.raises(NotFound):
        await svc.mark_read(ann, "nope", 1)
    with pytest.raises(Invalid):
        await svc.mark_read(ann, conv.id, -1)


async def test_concurrent_read_marks_keep_the_highest(stores, world):
    svc, (ann, bob, *_) = world
    conv, _ = await svc.open_direct(ann, bob)
    await send(stores, conv.id, bob, 20)
    await asyncio.gather(*[svc.mark_read(ann, conv.id, s) for s in (4, 17, 2, 9, 20, 1, 13)])
    assert (await stores.conversations.member(conv.id, ann)).last_read_seq == 20
    moved = [p["last_read_seq"] for *_, p in await events(stores, "read.updated") if p["user_id"] == ann]
    assert moved == sorted(moved) and moved[-1] == 20  # every event is a step forward


async def test_update_versions_and_permissions(stores, world):
    svc, (ann, bob, cy, *_) = world
    conv = await svc.create_group(ann, title="Team", member_ids=[bob])
    new = await svc.update(ann, conv.id, version=1, title="  Crew ", topic="plans")
    assert (new.title, new.topic, new.version) == ("Crew", "plans", 2) and new.updated_at >= conv.updated_at
    with pytest.raises(Conflict) as err:
        await svc.update(ann, conv.id, version=1, title="Late")
    assert err.value.code == "version_conflict" and err.value.extra["current"] == new
    same = await svc.update(ann, conv.id, version=2, title="Crew")  # no change: no bump, no event
    assert same.version == 2
    assert [p["version"] for *_, p in await events(stores, "conversation.updated")] == [2]
    with pytest.raises(Forbidden):
        await svc.update(bob, conv.id, version=2, title="Mine")
    with pytest.raises(NotFound):
        await svc.update(cy, conv.id, version=2, title="Outsider")
    with pytest.raises(Invalid):
        await svc.update(ann, conv.id, version=2, title="x" * 201)
    assert (await svc.update(ann, conv.id, version=2, e2ee=True)).e2ee
    with pytest.raises(Invalid):
        await svc.update(ann, conv.id, version=3, e2ee=False)
    direct, _ = await svc.open_direct(ann, bob)
    with pytest.raises(Invalid):
        await svc.update(bob, direct.id, version=1, title="Us")
    assert (await svc.update(bob, direct.id, version=1, e2ee=True)).version == 2


async def test_add_and_remove_members_with_event_audiences(stores, world):
    svc, (ann, bob, cy, dee, eve) = world
    conv = await svc.create_group(ann, title="Team", member_ids=[bob])
    with pytest.raises(Forbidden):
        await svc.add_members(bob, conv.id, [cy])
    with pytest.raises(NotFound):
        await svc.add_members(cy, conv.id, [dee])  # outsiders learn nothing
    with pytest.raises(NotFound):
        await svc.add_members(ann, conv.id, ["nobody"])
    added = await svc.add_members(ann, conv.id, [cy, bob, cy])
    assert [m.user_id for m in added] == [cy]  # bob already in: ignored
    assert await svc.add_members(ann, conv.id, [cy]) == []
    base = len(await events(stores))
    await svc.remove_member(ann, conv.id, cy)
    left = (await events(stores))[base:]
    assert [(t, c, to, p["user_id"]) for t, c, to, p in left] == [
        ("member.left", conv.id, None, cy),  # the remaining members
        ("member.left", conv.id, cy, cy),  # the one removed, who can no longer see the conversation
    ]
    assert await stores.conversations.member(conv.id, cy) is None
    with pytest.raises(NotFound):
        await svc.overview(cy, conv.id)
    with pytest.raises(Forbidden):
        await svc.remove_member(bob, conv.id, ann)  # members remove nobody
    await svc.contacts.block(eve, ann)
    with pytest.raises(Forbidden):
        await svc.add_members(ann, conv.id, [eve])  # eve blocked ann
    direct, _ = await svc.open_direct(ann, bob)
    with pytest.raises(Invalid):
        await svc.add_members(ann, direct.id, [cy])
    with pytest.raises(Invalid):
        await svc.remove_member(ann, direct.id, ann)


async def test_roles_admins_and_ownership_transfer(stores, world):
    svc, (ann, bob, cy, dee, _) = world
    conv = await svc.create_group(ann, title="Team", member_ids=[bob, cy, dee])
    with pytest.raises(Forbidden):
        await svc.set_member(bob, conv.id, cy, role="admin")  # only the owner grants roles
    assert (await svc.set_member(ann, conv.id, cy, role="admin")).role == "admin"
    with pytest.raises(Forbidden):
        await svc.remove_member(cy, conv.id, ann)  # an admin cannot remove the owner
    await svc.remove_member(cy, conv.id, dee)  # but removes members
    assert (await svc.set_member(bob, conv.id, bob, muted=True)).muted
    with pytest.raises(Forbidden):
        await svc.set_member(ann, conv.id, bob, muted=False)
    # The owner leaves: the longest-standing admin (cy, not bob) takes over.
    await svc.remove_member(ann, conv.id, ann)
    roles = {m.user_id: m.role for m in await stores.conversations.members(conv.id)}
    assert roles == {bob: "member", cy: "owner"}
    promoted = (await events(stores, "member.updated"))[-1]
    assert (promoted[1], promoted[2], promoted[3]["user_id"], promoted[3]["role"]) == (conv.id, None, cy, "owner")
    # Handing over ownership explicitly demotes the old owner to admin.
    await svc.set_member(cy, conv.id, bob, role="owner")
    roles = {m.user_id: m.role for m in await stores.conversations.members(conv.id)}
    assert roles == {bob: "owner", cy: "admin"}


async def test_last_member_leaving_leaves_an_invisible_conversation(stores, world):
    svc, (ann, bob, *_) = world
    conv = await svc.create_group(ann, title="Short", member_ids=[bob])
    await svc.remove_member(ann, conv.id, ann)
    assert {m.user_id: m.role for m in await stores.conversations.members(conv.id)} == {bob: "owner"}
    await svc.remove_member(bob, conv.id, bob)
    assert await stores.conversations.members(conv.id) == []
    assert await svc.list_for(ann) == [] and await svc.list_for(bob) == []
    with pytest.raises(NotFound):
        await svc.overview(bob, conv.id)
    with pytest.raises(NotFound):
        await svc.remove_member(bob, conv.id, bob)


async def test_members_of_and_overview(stores, world):
    svc, (ann, bob, cy, *_) = world
    conv = await svc.create_group(ann, title="Team", member_ids=[bob])
    assert await stores.conversations.members_of([]) == {}
    got = await stores.conversations.members_of([conv.id, "nope"])
    assert [m.user_id for m in got[conv.id]][0] == ann and got["nope"] == []
    view = await svc.overview(bob, conv.id)
    assert view.me.user_id == bob and {u.username for u in view.users.values()} == {"ann", "bob"}
    with pytest.raises(NotFound):
        await svc.require_member(conv.id, cy)
    assert (await svc.require_member(conv.id, ann)).role == "owner"



async def test_member_counts_follow_joins_and_leaves(stores, world):
    """What presence asks to pick the small conversations (every adapter)."""
    svc, (ann, bob, cy, dee, _) = world
    team = await svc.create_group(ann, title="Team", member_ids=[bob, cy, dee])
    pair = await svc.create_group(ann, title="Pair", member_ids=[bob])
    counts = await stores.conversations.member_counts([team.id, pair.id, "nope", team.id])
    assert counts == {team.id: 4, pair.id: 2, "nope": 0}
    await svc.remove_member(ann, team.id, dee)
    assert await stores.conversations.member_counts([team.id]) == {team.id: 3}
    assert await stores.conversations.member_counts([]) == {}
