"""Contacts on both engines: the state machine through the real store, the
events each side gets, block checks, and concurrent requests."""

import asyncio

import msgspec
import pytest

from chatd import clock
from chatd.domain import User
from chatd.errors import Conflict, Forbidden, Invalid, NotFound
from chatd.services.contacts import ContactService
from tests.sql_handle import sql_db


async def person(stores, name: str, *, disabled: bool = False) -> str:
    at = clock.now()
    user = await stores.users.create(
        User(id=f"id-{name}", username=name, display_name=name.title(), created_at=at, updated_at=at), "x"
    )
    if disabled:
        await stores.users.set_disabled(user.id, True)
    return user.id


async def events(stores, type_prefix: str = "contact.") -> list[tuple[str, str | None, str | None, dict]]:
    rows = await sql_db(stores).read(
        lambda c: c.fetch("SELECT type, conversation_id, user_id, payload FROM events ORDER BY seq")
    )
    return [
        (r["type"], r["conversation_id"], r["user_id"], msgspec.json.decode(r["payload"]))
        for r in rows
        if r["type"].startswith(type_prefix)
    ]


async def status(stores, owner: str, other: str) -> str | None:
    contact = await stores.contacts.get(owner, other)
    return None if contact is None else contact.status


@pytest.fixture
async def people(stores):
    return ContactService(stores.contacts, stores.users), [await person(stores, n) for n in ("ann", "bob", "cy")]


async def test_request_creates_both_sides_and_tells_each_owner(stores, people):
    svc, (ann, bob, _) = people
    contact, user, created = await svc.request(ann, bob)
    assert (contact.owner_id, contact.user_id, contact.status, created) == (ann, bob, "pending_out", True)
    assert user.id == bob and not hasattr(user, "preferences")
    assert await status(stores, bob, ann) == "pending_in"
    sent = await events(stores)
    assert [(t, conv, to, p["status"]) for t, conv, to, p in sent] == [
        ("contact.updated", None, ann, "pending_out"),
        ("contact.updated", None, bob, "pending_in"),
    ]
    # Asking again changes nothing and says so.
    again, _, created = await svc.request(ann, bob)
    assert (again, created) == (contact, False)
    assert len(await events(stores)) == 2


async def test_asking_back_accepts_and_accept_needs_a_received_request(stores, people):
    svc, (ann, bob, cy) = people
    await svc.request(ann, bob)
    with pytest.raises(Conflict) as err:
        await svc.accept(ann, bob)  # ann sent it; only bob can accept
    assert err.value.code == "not_pending_in"
    with pytest.raises(NotFound):
        await svc.accept(ann, cy)
    contact, _, created = await svc.request(bob, ann)
    assert (contact.status, created) == ("accepted", False)
    assert await status(stores, ann, bob) == "accepted"
    again, _ = await svc.accept(bob, ann)  # already accepted: idempotent
    assert again.status == "accepted"


async def test_accept_turns_both_sides_accepted_keeping_alias(stores, people):
    svc, (ann, bob, _) = people
    await svc.request(ann, bob)
    await svc.edit(bob, ann, alias="  Annie\n", note="met at\tthe meetup")
    contact, _ = await svc.accept(bob, ann)
    assert (contact.status, contact.alias, contact.note) == ("accepted", "Annie", "met at\tthe meetup")
    assert await status(stores, ann, bob) == "accepted"
    last = (await events(stores))[-2:]
    assert {(to, p["status"]) for _, _, to, p in last} == {(ann, "accepted"), (bob, "accepted")}


async def test_bad_targets(stores, people):
    svc, (ann, _, _) = people
    ghost = await person(stores, "ghost", disabled=True)
    with pytest.raises(Invalid):
        await svc.request(ann, ann)
    with pytest.raises(NotFound):
        await svc.request(ann, "nobody")
    with pytest.raises(NotFound):
        await svc.request(ann, ghost)
    with pytest.raises(Invalid):
        await svc.block(ann, ann)
    with pytest.raises(NotFound):
        await svc.block(ann, "nobody")
    with pytest.raises(NotFound):
        await svc.remove(ann, ghost)
    with pytest.raises(Invalid):
        await svc.edit(ann, ghost, alias="x" * 65, note=None)
    assert await events(stores) == []


async def test_block_is_silent_for_the_blocked_user(stores, people):
    svc, (ann, bob, _) = people
    await svc.request(ann, bob)
    await svc.accept(bob, ann)
    before = len(await events(stores))
    contact, _ = await svc.block(bob, ann)
    assert contact.status == "blocked"
    # ann's side is gone exactly as if bob had removed her: no "blocked" anywhere she can see.
    assert await status(stores, ann, bob) is None
    new = (await events(stores))[before:]
    assert [(t, to) for t, _, to, _ in new] == [("contact.updated", bob), ("contact.removed", ann)]
    assert new[1][3] == {"owner_id": ann, "user_id": bob}
    assert all(p.get("status") != "blocked" for _, _, to, p in new if to == ann)
    assert await svc.contacts.blocked_between(ann, bob) and await svc.contacts.blocked_between(bob, ann)

    with pytest.raises(Forbidden) as err:
        await svc.request(ann, bob)
    assert err.value.code == "contact_refused"
    with pytest.raises(Forbidden) as err:
        await svc.ensure_not_blocked(ann, bob)
    assert err.value.code == "contact_refused"
    with pytest.raises(Forbidden) as err:
        await svc.ensure_not_blocked(bob, ann)
    assert err.value.code == "contact_blocked"  # the blocker is told why
    with pytest.raises(Conflict):
        await svc.request(bob, ann)  # unblock first
    with pytest.raises(NotFound):
        await svc.accept(ann, bob)


async def test_block_from_no_relation_and_unblock(stores, people):
    svc, (ann, bob, cy) = people
    await svc.request(bob, ann)  # bob asked; ann blocks instead of answering
    await svc.block(ann, bob)
    assert (await status(stores, ann, bob), await status(stores, bob, ann)) == ("blocked", None)
    await svc.block(cy, ann)  # no relation before
    assert await svc.contacts.blockers_among(ann, [bob, cy, "nobody"]) == {cy}
    assert await svc.contacts.blockers_among(bob, [ann, cy]) == {ann}
    assert await svc.contacts.blockers_among(bob, []) == set()
    # Mutual blocks are independent: ann unblocking leaves bob's block of her... and vice versa.
    await svc.block(bob, ann)
    assert (await status(stores, ann, bob), await status(stores, bob, ann)) == ("blocked", "blocked")
    await svc.remove(ann, bob)
    assert (await status(stores, ann, bob), await status(stores, bob, ann)) == (None, "blocked")
    await svc.remove(bob, ann)
    assert not await svc.contacts.blocked_between(ann, bob)
    await svc.ensure_not_blocked(ann, bob)
    contact, _, created = await svc.request(ann, bob)
    assert (contact.status, created) == ("pending_out", True)


async def test_remove_cancel_and_decline_end_both_sides(stores, people):
    svc, (ann, bob, cy) = people
    await svc.request(ann, bob)
    await svc.remove(ann, bob)  # cancel
    assert (await status(stores, ann, bob), await status(stores, bob, ann)) == (None, None)
    await svc.request(ann, cy)
    await svc.remove(cy, ann)  # decline
    assert (await status(stores, ann, cy), await status(stores, cy, ann)) == (None, None)
    await svc.request(bob, cy)
    await svc.accept(cy, bob)
    await svc.remove(bob, cy)
    assert (await status(stores, bob, cy), await status(stores, cy, bob)) == (None, None)
    removed = [(to, p) for t, _, to, p in await events(stores) if t == "contact.removed"]
    assert (cy, {"owner_id": cy, "user_id": bob}) in removed
    with pytest.raises(NotFound):
        await svc.remove(bob, cy)


async def test_list_shows_own_side_with_public_user(stores, people):
    svc, (ann, bob, cy) = people
    await svc.request(ann, bob)
    await svc.block(ann, cy)
    listed = await svc.list(ann)
    assert {(c.user_id, c.status, u.username) for c, u in listed} == {
        (bob, "pending_out", "bob"),
        (cy, "blocked", "cy"),
    }
    assert [(c.user_id, c.status) for c, _ in await svc.list(bob)] == [(ann, "pending_in")]
    assert await svc.list(cy) == []


async def test_edit_alias_and_note(stores, people):
    svc, (ann, bob, _) = people
    with pytest.raises(NotFound):
        await svc.edit(ann, bob, alias="B", note=None)
    await svc.request(ann, bob)
    contact, _ = await svc.edit(ann, bob, alias="B\u0301", note=None)
    assert contact.alias == "B\u0301"  # NFC has no precomposed B-acute: kept as is
    contact, _ = await svc.edit(ann, bob, alias=None, note="n" * 1000)
    assert (contact.alias, len(contact.note)) == ("B\u0301", 1000)
    with pytest.raises(Invalid):
        await svc.edit(ann, bob, alias=None, note="n" * 1001)
    count = len(await events(stores))
    await svc.edit(ann, bob, alias=None, note=None)  # nothing changed: no event
    assert len(await events(stores)) == count
    assert (await stores.contacts.get(bob, ann)).alias == ""  # only my side


async def test_concurrent_requests_from_both_sides_end_accepted(stores, people):
    svc, (ann, bob, _) = people
    results = await asyncio.gather(
        *[svc.request(ann, bob) for _ in range(3)], *[svc.request(bob, ann) for _ in range(3)]
    )
    assert sum(created for _, _, created in results) == 1
    assert (await status(stores, ann, bob), await status(stores, bob, ann)) == ("accepted", "accepted")
