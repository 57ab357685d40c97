"""UserStore contract, on SQLite and PostgreSQL: unique usernames, the first
user becomes admin (also under concurrency), atomic invite use, versions,
device keys, search, last-admin protection, user.updated events."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from chatd import clock, ids
from chatd.domain import DeviceKey, User
from chatd.domain.auth import Invite, Session
from chatd.errors import Conflict, Forbidden, NotFound
from tests.sql_handle import sql_db

KEY = "A" * 43 + "="


def new_user(name: str, role: str = "member", display_name: str | None = None) -> User:
    now = clock.now()
    return User(id=ids.new_id(), username=name, display_name=display_name or name.title(), role=role,
                created_at=now, updated_at=now)


async def make(stores, name: str, **kw) -> User:
    return await stores.users.create(new_user(name, **kw), "hash-" + name)


async def user_events(stores, user_id: str) -> list[str]:
    rows = await sql_db(stores).read(lambda c: c.fetch(
        "SELECT type FROM events WHERE user_id = $1 ORDER BY seq", user_id))
    return [r["type"] for r in rows]


async def test_first_user_is_admin_the_rest_keep_their_role(stores):
    first = await make(stores, "alice")
    second = await make(stores, "bob")
    guest = await make(stores, "carol", role="guest")
    assert (first.role, second.role, guest.role) == ("admin", "member", "guest")
    got = await stores.users.get(first.id)
    assert got == first and got.preferences == {} and got.keys == [] and got.version == 1


async def test_only_one_of_many_concurrent_first_users_becomes_admin(stores):
    made = await asyncio.gather(*(make(stores, f"user{i}") for i in range(8)))
    assert [u.role for u in made].count("admin") == 1


async def test_taken_username_conflicts_and_writes_nothing(stores):
    await make(stores, "alice")
    with pytest.raises(Conflict) as err:
        await make(stores, "alice")
    assert err.value.code == "username_taken"
    assert (await stores.users.counts())["users"] == 1


async def test_credentials_and_password_hash(stores):
    alice = await make(stores, "alice")
    user, hashed = await stores.users.credentials("alice")
    assert user.id == alice.id and hashed == "hash-alice"
    assert await stores.users.credentials("nobody") is None
    assert await stores.users.password_hash(alice.id) == "hash-alice"
    assert (await stores.users.get_by_username("alice")).id == alice.id
    assert await stores.users.get_by_username("nobody") is None
    assert await stores.users.get("nope") is None


async def test_invite_is_used_atomically_and_only_while_valid(stores):
    admin = await make(stores, "admin")
    now = clock.now()
    invite = Invite(id=ids.new_id(), created_by=admin.id, max_uses=2, expires_at=now + timedelta(hours=1),
                    created_at=now)
    await stores.auth.create_invite(invite, "code-hash")
    await stores.users.create(new_user("one"), "h", invite_hash="code-hash")
    # A taken username must not burn a use of the invite.
    with pytest.raises(Conflict):
        await stores.users.create(new_user("one"), "h", invite_hash="code-hash")
    await stores.users.create(new_user("two"), "h", invite_hash="code-hash")
    with pytest.raises(Forbidden) as err:
        await stores.users.create(new_user("three"), "h", invite_hash="code-hash")
    assert err.value.code == "invite_invalid"
    with pytest.raises(Forbidden):
        await stores.users.create(new_user("four"), "h", invite_hash="unknown")
    assert [i.uses for i in await stores.auth.list_invites()] == [2]
    assert await stores.users.get_by_username("three") is None

    expired = Invite(id=ids.new_id(), created_by=admin.id, max_uses=5, expires_at=now - timedelta(seconds=1),
                     created_at=now)
    await stores.auth.create_invite(expired, "old-hash")
    with pytest.raises(Forbidden):
        await stores.users.create(new_user("five"), "h", invite_hash="old-hash")


async def test_update_checks_version_and_announces_the_user(stores):
    alice = await make(stores, "alice")
    updated = await stores.users.update(
        alice.id, {"display_name": "Alice A.", "preferences": {"theme": "dark"}, "avatar": None}, version=1)
    assert (updated.display_name, updated.preferences, updated.version) == ("Alice A.", {"theme": "dark"}, 2)
    assert updated.updated_at >= alice.updated_at
    with pytest.raises(Conflict) as err:
        await stores.users.update(alice.id, {"bio": "stale"}, version=1)
    assert err.value.code == "version_conflict"
    assert err.value.extra["current"] == updated
    assert (await stores.users.get(alice.id)).bio == ""
    with pytest.raises(NotFound):
        await stores.users.update("nope", {"bio": "x"}, version=1)
    assert await user_events(stores, alice.id) == ["user.updated"]


async def test_device_keys_upsert_limit_and_delete(stores):
    alice = await make(stores, "alice")
    at = clock.now()
    user = await stores.users.put_key(alice.id, DeviceKey(device_id="phone", x25519=KEY, ed25519=KEY, sig="sig-1",
                                                          created_at=at), max_devices=2)
    assert [(k.device_id, k.sig) for k in user.keys] == [("phone", "sig-1")] and user.version == 2
    other = "B" * 43 + "="
    user = await stores.users.put_key(alice.id, DeviceKey(device_id="phone", x25519=other, ed25519=KEY, sig="sig-2",
                                                          created_at=at), max_devices=2)
    assert [(k.device_id, k.x25519, k.sig) for k in user.keys] == [("phone", other, "sig-2")]
    assert [k.sig for k in (await stores.users.get(alice.id)).keys] == ["sig-2"]
    await stores.users.put_key(alice.id, DeviceKey(device_id="laptop", x25519=KEY, ed25519=KEY, created_at=at),
                               max_devices=2)
    with pytest.raises(Conflict) as err:
        await stores.users.put_key(alice.id, DeviceKey(device_id="tablet", x25519=KEY, ed25519=KEY, created_at=at),
                                   max_devices=2)
    assert err.value.code == "too_many_devices"
    assert {k.device_id for k in (await stores.users.get(alice.id)).keys} == {"phone", "laptop"}
    after = await stores.users.delete_key(alice.id, "phone")
    assert [k.device_id for k in after.keys] == ["laptop"]
    assert await stores.users.delete_key(alice.id, "phone") is None
    with pytest.raises(NotFound):
        await stores.users.put_key("nope", DeviceKey(device_id="x", x25519=KEY, ed25519=KEY, created_at=at),
                                   max_devices=2)


async def test_search_matches_prefix_or_display_name_and_skips_disabled(stores):
    await make(stores, "admin")
    alice = await make(stores, "alice", display_name="Alice Liddell")
    await make(stores, "malice", display_name="Someone")
    bob = await make(stores, "bob", display_name="Bob 100%_sure")
    assert [u.username for u in await stores.users.search("al", 10)] == ["alice"]
    assert [u.username for u in await stores.users.search("lidd", 10)] == ["alice"]
    assert [u.username for u in await stores.users.search("100%_", 10)] == ["bob"]
    assert await stores.users.search("%e", 10) == []  # a literal %, not a wildcard
    assert len(await stores.users.search("", 2)) == 2
    await stores.users.set_disabled(alice.id, True)
    assert await stores.users.search("al", 10) == []
    assert bob.id in [u.id for u in await stores.users.search("b", 10)]


async def test_list_pages_by_username(stores):
    for name in ["dave", "alice", "carol", "bob"]:
        await make(stores, name)
    page = await stores.users.list(limit=2)
    assert [u.username for u in page] == ["alice", "bob"]
    assert [u.username for u in await stores.users.list(after="bob", limit=5)] == ["carol", "dave"]
    assert [u.username for u in await stores.users.list(query="aro")] == ["carol"]


async def test_disable_enable_and_role_changes_guard_the_last_admin(stores):
    admin = await make(stores, "admin")
    bob = await make(stores, "bob")
    with pytest.raises(Conflict) as err:
        await stores.users.set_disabled(admin.id, True)
    assert err.value.code == "last_admin"
    with pytest.raises(Conflict):
        await stores.users.set_role(admin.id, "member")
    disabled = await stores.users.set_disabled(bob.id, True)
    assert disabled.disabled and disabled.version == 2
    assert (await stores.users.set_disabled(bob.id, False)).disabled is False
    promoted = await stores.users.set_role(bob.id, "admin")
    assert promoted.role == "admin"
    assert (await stores.users.set_role(admin.id, "member")).role == "member"
    assert await stores.users.set_role("nope", "admin") is None
    assert await stores.users.set_disabled("nope", True) is None
    assert await stores.users.counts() == {"users": 2, "admins": 1, "disabled": 0}
    assert await user_events(stores, bob.id) == ["user.updated"] * 3


async def test_set_password_can_end_other_login_sessions(stores):
    alice = await make(stores, "alice")
    now = clock.now()
    for sid, kind in (("s1", "session"), ("s2", "session"), ("t1", "token")):
        await stores.auth.create_session(Session(id=sid, user_id=alice.id, kind=kind, created_at=now,
                                                 last_used_at=now), "hash-" + sid)
    await stores.users.set_password(alice.id, "new-hash")
    assert len(await stores.auth.list_sessions(alice.id, "session")) == 2
    await stores.users.set_password(alice.id, "newer", keep_session_id="s1", end_sessions=True)
    assert await stores.users.password_hash(alice.id) == "newer"
    assert [s.id for s in await stores.auth.list_sessions(alice.id, "session")] == ["s1"]
    assert [s.id for s in await stores.auth.list_sessions(alice.id, "token")] == ["t1"]
    await stores.users.set_password(alice.id, "newest", end_sessions=True)
    assert await stores.auth.list_sessions(alice.id, "session") == []
