"""Deleting an account (ASVS 8.3.2): UserStore.delete_account on SQLite and
PostgreSQL (accounts are always in SQL), and the departure from groups on
every adapter of the conversation side (SQLite, PostgreSQL, MongoDB)."""

from __future__ import annotations

import asyncio

import pytest

from chatd import clock, ids
from chatd.domain import Attachment, Conversation, DeviceKey, Member, User
from chatd.domain.auth import Session
from chatd.domain.security_event import SecurityEvent
from chatd.errors import Conflict
from chatd.services.account_deletion import AccountDeletion, departure_rule
from chatd.storage.ports.messages import Draft
from chatd.storage.ports.security_keys import StoredKey
from tests.sql_handle import sql_db

KEY = "A" * 43 + "="


async def make(stores, name: str, role: str = "member") -> User:
    now = clock.now()
    user = User(id=ids.new_id(), username=name, display_name=name.title(), role=role, bio="about " + name,
                preferences={"theme": "dark"}, created_at=now, updated_at=now)
    return await stores.users.create(user, "hash-" + name)


async def befriend(stores, a: str, b: str) -> None:
    """Both sides of an accepted contact, seeded as rows (the contact rules are not under test)."""
    ms = clock.to_ms(clock.now())
    for owner, other in ((a, b), (b, a)):
        await sql_db(stores).write(lambda c, o=owner, u=other: c.execute(
            "INSERT INTO contacts (owner_id, user_id, status, alias, note, created_at, updated_at)"
            " VALUES ($1, $2, 'accepted', '', '', $3, $3)", o, u, ms))


async def test_delete_account_erases_everything_but_the_reserved_row(stores):
    await make(stores, "root")
    alice, bob = await make(stores, "alice"), await make(stores, "bob")
    now = clock.now()
    await stores.users.put_key(alice.id, DeviceKey(device_id="d1", x25519=KEY, ed25519=KEY, created_at=now),
                               max_devices=5)
    await stores.key_backups.put(alice.id, '{"v":1}', now)
    for sid, kind in (("s1", "session"), ("t1", "token")):
        await stores.auth.create_session(Session(id=sid, user_id=alice.id, kind=kind, created_at=now,
                                                 last_used_at=now), "hash-" + sid)
    await befriend(stores, alice.id, bob.id)
    # Her sign-in factors and security history go too: a TOTP secret, recovery
    # codes and a key are hers alone, and the events say where she signed in.
    await stores.second_factors.begin_totp(alice.id, "sealed-secret", now)
    assert await stores.second_factors.confirm_totp(alice.id, 1, ["code-hash"], now)
    await stores.second_factors.add_key(StoredKey(id=ids.new_id(), user_id=alice.id, credential_id="cred-a",
                                                  public_key="pk", name="Yubi", created_at=now))
    await stores.security_activity.record(alice.id, SecurityEvent(id=ids.new_id(), kind="new_sign_in", at=now,
                                                                  address="203.0.113.7"), keep=100)
    assert await stores.security_activity.seen_place(alice.id, "Firefox|203.0.113.0/24", now, keep=20)
    before = await stores.users.get(alice.id)

    gone = await stores.users.delete_account(alice.id, display_name="Deleted user")
    assert gone is not None and gone.disabled and gone.role == "member" and gone.keys == []
    assert (gone.display_name, gone.bio, gone.avatar, gone.preferences) == ("Deleted user", "", None, {})
    assert gone.username == "alice" and gone.version == before.version + 1
    assert await stores.auth.lookup("hash-s1") is None and await stores.auth.lookup("hash-t1") is None
    assert await stores.key_backups.get(alice.id) is None
    assert await stores.contacts.list(alice.id) == [] and await stores.contacts.list(bob.id) == []
    assert await stores.users.password_hash(alice.id) not in ("hash-alice", None)
    assert await stores.users.credentials("alice") is None  # signs in as no account does
    assert await stores.second_factors.get_totp(alice.id) is None
    assert await stores.second_factors.recovery_codes_left(alice.id) == 0
    assert await stores.second_factors.list_keys(alice.id) == []
    assert await stores.security_activity.page(alice.id, None, 100) == []
    # A place she had used is news again: nothing of it was kept.
    assert await stores.security_activity.seen_place(alice.id, "Firefox|203.0.113.0/24", now, keep=20)
    assert (await stores.users.credentials("bob"))[1] == "hash-bob"
    bob_events = await sql_db(stores).read(lambda c: c.fetch(
        "SELECT type, payload FROM events WHERE user_id = $1 ORDER BY seq", bob.id))
    assert bob_events[-1]["type"] == "contact.removed" and alice.id in bob_events[-1]["payload"]
    assert (await stores.users.get(bob.id)).bio == "about bob"  # nobody else touched
    # The username stays taken; the account never comes back.
    with pytest.raises(Conflict) as taken:
        await stores.users.create(User(id=ids.new_id(), username="alice", display_name="A", created_at=now,
                                       updated_at=now), "h")
    assert taken.value.code == "username_taken"
    with pytest.raises(Conflict) as back:
        await stores.users.set_disabled(alice.id, False)
    assert back.value.code == "account_deleted"
    assert await stores.users.delete_account(alice.id, display_name="Deleted user") is None
    assert await stores.users.delete_account("nobody", display_name="Deleted user") is None
    rows = await sql_db(stores).read(lambda c: c.fetch(
        "SELECT type, payload FROM events WHERE user_id = $1 ORDER BY seq", alice.id))
    assert rows[-1]["type"] == "user.updated" and '"disabled":true' in rows[-1]["payload"].replace(" ", "")


async def test_the_last_admin_is_refused_and_nothing_changes(stores):
    root = await make(stores, "root")
    bob = await make(stores, "bob")
    await befriend(stores, root.id, bob.id)
    with pytest.raises(Conflict) as err:
        await stores.users.delete_account(root.id, display_name="Deleted user")
    assert err.value.code == "last_admin"
    assert await stores.users.get(root.id) == root
    assert len(await stores.contacts.list(root.id)) == 1
    await stores.users.set_role(bob.id, "admin")
    assert (await stores.users.delete_account(root.id, display_name="Deleted user")).disabled


async def test_two_admins_deleting_at_once_leave_one(stores):
    a, b = await make(stores, "root"), await make(stores, "second")
    await stores.users.set_role(b.id, "admin")
    results = await asyncio.gather(*(stores.users.delete_account(u.id, display_name="Deleted user") for u in (a, b)),
                                   return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "User"]
    assert (await stores.users.counts())["admins"] == 1


# -- the conversation side, on every adapter ---------------------------------

async def test_a_deleted_account_leaves_its_groups_and_ownership_passes_on(message_stores):
    stores = message_stores
    ann, bob, cy = [await make(stores, n) for n in ("ann", "bob", "cy")]
    now = clock.now()

    def conv(cid: str, kind: str) -> Conversation:
        return Conversation(id=cid, kind=kind, title="" if kind == "direct" else "T", created_by=ann.id,
                            created_at=now, updated_at=now)

    def member(cid: str, who: User, role: str = "member") -> Member:
        return Member(conversation_id=cid, user_id=who.id, role=role, joined_at=now)

    await stores.conversations.create_group(conv("g1", "group"), [member("g1", ann, "owner"), member("g1", bob),
                                                                  member("g1", cy, "admin")])
    await stores.conversations.create_group(conv("g2", "group"), [member("g2", ann, "owner")])
    await stores.conversations.create_group(conv("g3", "group"), [member("g3", bob, "owner"), member("g3", ann)])
    await stores.conversations.create_direct(conv("d1", "direct"), [member("d1", ann), member("d1", bob)])
    deletion = AccountDeletion(None, stores.users, stores.conversations)  # type: ignore[arg-type]
    await deletion.leave_groups(ann.id)
    await deletion.leave_groups(ann.id)  # again: nothing more happens
    roles = {cid: {m.user_id: m.role for m in await stores.conversations.members(cid)}
             for cid in ("g1", "g2", "g3", "d1")}
    assert roles == {"g1": {bob.id: "member", cy.id: "owner"}, "g2": {}, "g3": {bob.id: "owner"},
                     "d1": {ann.id: "member", bob.id: "member"}}
    assert [c.id for c, _ in await stores.conversations.list_for(ann.id)] == ["d1"]
    # The group nobody is left in is gone; the others stay.
    assert await stores.conversations.get("g2") is None
    assert all([await stores.conversations.get(c) for c in ("g1", "g3", "d1")])


async def test_a_deletion_that_did_not_leave_its_groups_is_pending_until_finished(message_stores):
    """delete_account leaves the departure pending (in the same row it erases);
    finish_pending leaves the groups and records it done, and does nothing twice."""
    stores = message_stores
    await make(stores, "root")  # the admin
    ann, bob, cy = [await make(stores, n) for n in ("ann", "bob", "cy")]
    now = clock.now()
    for cid in ("g1", "g2"):
        await stores.conversations.create_group(
            Conversation(id=cid, kind="group", title="T", created_by=bob.id, created_at=now, updated_at=now),
            [Member(conversation_id=cid, user_id=bob.id, role="owner", joined_at=now),
             Member(conversation_id=cid, user_id=ann.id, role="member", joined_at=now)])
    assert await stores.users.departures_pending(10) == []
    await stores.users.delete_account(ann.id, display_name="Deleted user")
    await stores.users.delete_account(cy.id, display_name="Deleted user")
    assert await stores.users.departures_pending(10) == [ann.id, cy.id]
    assert await stores.users.departures_pending(1) == [ann.id]

    deletion = AccountDeletion(None, stores.users, stores.conversations)  # type: ignore[arg-type]
    assert await deletion.finish_pending() == 2
    assert await stores.users.departures_pending(10) == []
    assert [c.id for c, _ in await stores.conversations.list_for(ann.id)] == []
    assert {m.user_id for m in await stores.conversations.members("g1")} == {bob.id}
    assert await deletion.finish_pending() == 0
    await stores.users.departure_done(bob.id)  # not deleted: nothing recorded
    await stores.users.delete_account(bob.id, display_name="Deleted user")
    assert await stores.users.departures_pending(10) == [bob.id]


async def test_drop_if_empty_removes_only_an_empty_group_with_everything_in_it(message_stores):
    stores = message_stores
    ann, bob = [await make(stores, n) for n in ("ann", "bob")]
    now = clock.now()
    for cid, kind in (("g1", "group"), ("g2", "group"), ("d1", "direct")):
        conv = Conversation(id=cid, kind=kind, title="T" if kind == "group" else "", created_by=ann.id,
                            created_at=now, updated_at=now)
        people = [Member(conversation_id=cid, user_id=u.id, role="owner" if u is ann and kind == "group" else "member",
                         joined_at=now) for u in ((ann, bob) if kind == "direct" else (ann,))]
        if kind == "direct":
            await stores.conversations.create_direct(conv, people)
        else:
            await stores.conversations.create_group(conv, people)
    stored = []
    for cid in ("g1", "g2"):
        msg, _ = await stores.messages.append(Draft(conversation_id=cid, sender_id=ann.id, client_id="c-" + cid,
                                                    body="hi " + cid))
        await stores.messages.react(msg.id, user_id=ann.id, emoji="x", add=True, max_distinct=20)
        att = Attachment(id="a-" + cid, uploader_id=ann.id, conversation_id=cid, filename="f.txt",
                         content_type="text/plain", size=1, sha256="0" * 64, created_at=now)
        await stores.attachments.add(att, "att/a-" + cid)
        stored.append(msg)
    assert not await stores.conversations.drop_if_empty("g1")  # ann is still in it
    assert not await stores.conversations.drop_if_empty("d1")  # never a direct one
    assert not await stores.conversations.drop_if_empty("nope")
    await stores.conversations.change_members("g1", departure_rule(ann.id))
    assert await stores.conversations.drop_if_empty("g1")
    assert await stores.conversations.get("g1") is None
    assert await stores.messages.get(stored[0].id) is None
    assert await stores.attachments.get("a-g1") is None
    assert await stores.attachments.known(["a-g1", "a-g2"]) == {"a-g2"}
    # The other group and its message and file are untouched.
    assert (await stores.messages.get(stored[1].id)).reactions == {"x": [ann.id]}
    assert await stores.attachments.get("a-g2") is not None
    assert not await stores.conversations.drop_if_empty("g1")  # already gone
