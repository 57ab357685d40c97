"""AuthStore contract, on SQLite and PostgreSQL: sessions and tokens by hash
with their user and keys in one lookup, touch, scoped deletes, invites, counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chatd import clock, ids
from chatd.domain import DeviceKey, User
from chatd.domain.auth import Invite, Session

KEY = "A" * 43 + "="


async def make_user(stores, name: str) -> User:
    now = clock.now()
    return await stores.users.create(
        User(id=ids.new_id(), username=name, display_name=name, created_at=now, updated_at=now), "h")


def session(user: User, kind: str = "session", expires_in: timedelta | None = timedelta(days=1),
            name: str = "") -> Session:
    now = clock.now()
    return Session(id=ids.new_id(), user_id=user.id, kind=kind, name=name, created_at=now, last_used_at=now,
                   expires_at=now + expires_in if expires_in else None)


@pytest.fixture
async def alice(stores):
    return await make_user(stores, "alice")


async def test_lookup_finds_the_session_with_its_user_and_keys(stores, alice):
    at = clock.now()
    for device in ("b-laptop", "a-phone"):
        await stores.users.put_key(alice.id, DeviceKey(device_id=device, x25519=KEY, ed25519=KEY, created_at=at),
                                   max_devices=5)
    s = await stores.auth.create_session(session(alice), "digest-1")
    user, found = await stores.auth.lookup("digest-1")
    assert found == s
    assert user == await stores.users.get(alice.id)
    assert sorted(k.device_id for k in user.keys) == ["a-phone", "b-laptop"]
    assert await stores.auth.lookup("digest-2") is None


async def test_lookup_without_keys_and_a_never_expiring_token(stores, alice):
    t = await stores.auth.create_session(session(alice, "token", None, name="bot"), "digest-t")
    user, found = await stores.auth.lookup("digest-t")
    assert user.keys == [] and found.kind == "token" and found.name == "bot" and found.expires_at is None
    assert found == t


async def test_token_hashes_are_unique(stores, alice):
    await stores.auth.create_session(session(alice), "same")
    with pytest.raises(Exception):
        await stores.auth.create_session(session(alice), "same")


async def test_touch_records_use_slides_expiry_and_marks_the_user_seen(stores, alice):
    s = await stores.auth.create_session(session(alice), "d")
    later = clock.now() + timedelta(minutes=5)
    await stores.auth.touch(s.id, later, expires_at=later + timedelta(days=30))
    user, found = await stores.auth.lookup("d")
    assert found.last_used_at == later and found.expires_at == later + timedelta(days=30)
    assert user.last_seen_at == later
    # No expiry given: the stored one stays.
    await stores.auth.touch(s.id, later + timedelta(minutes=1))
    _, again = await stores.auth.lookup("d")
    assert again.expires_at == later + timedelta(days=30)
    await stores.auth.touch("unknown", later)


async def test_delete_session_only_within_its_owner_and_kind(stores, alice):
    bob = await make_user(stores, "bob")
    token = await stores.auth.create_session(session(alice, "token"), "t")
    assert not await stores.auth.delete_session(token.id, user_id=bob.id)
    assert not await stores.auth.delete_session(token.id, user_id=alice.id, kind="session")
    assert await stores.auth.delete_session(token.id, user_id=alice.id, kind="token")
    assert not await stores.auth.delete_session(token.id)
    assert await stores.auth.lookup("t") is None


async def test_delete_sessions_keeps_the_exception_and_other_kinds(stores, alice):
    keep = await stores.auth.create_session(session(alice), "s1")
    await stores.auth.create_session(session(alice), "s2")
    await stores.auth.create_session(session(alice, "token"), "t1")
    assert await stores.auth.delete_sessions(alice.id, "session", except_id=keep.id) == 1
    assert [s.id for s in await stores.auth.list_sessions(alice.id, "session")] == [keep.id]
    assert await stores.auth.count_sessions(alice.id, "token") == 1
    assert await stores.auth.delete_sessions(alice.id, "token") == 1
    assert await stores.auth.list_sessions(alice.id, "token") == []


async def test_list_sessions_oldest_first(stores, alice):
    base = clock.now()
    made = []
    for i in (2, 0, 1):
        at = base + timedelta(seconds=i)
        s = Session(id=ids.new_id(), user_id=alice.id, kind="token", name=f"t{i}", created_at=at, last_used_at=at)
        made.append(await stores.auth.create_session(s, f"d{i}"))
    made.sort(key=lambda s: s.created_at)
    assert await stores.auth.list_sessions(alice.id, "token") == made


async def test_invites_list_newest_first_and_delete(stores, alice):
    now = clock.now()
    first = Invite(id=ids.new_id(), created_by=alice.id, max_uses=1, expires_at=now + timedelta(hours=1),
                   created_at=now)
    second = Invite(id=ids.new_id(), created_by=alice.id, max_uses=3, expires_at=now + timedelta(hours=2),
                    created_at=now + timedelta(seconds=1))
    await stores.auth.create_invite(first, "c1")
    await stores.auth.create_invite(second, "c2")
    assert await stores.auth.list_invites() == [second, first]
    assert await stores.auth.delete_invite(first.id)
    assert not await stores.auth.delete_invite(first.id)
    assert await stores.auth.list_invites() == [second]


async def test_purge_and_counts_ignore_expired(stores, alice):
    await stores.auth.create_session(session(alice), "live")
    await stores.auth.create_session(session(alice, expires_in=timedelta(seconds=-5)), "dead")
    await stores.auth.create_session(session(alice, "token", None), "tok")
    now = clock.now()
    await stores.auth.create_invite(Invite(id=ids.new_id(), created_by=alice.id, max_uses=1,
                                           expires_at=now - timedelta(hours=1), created_at=now), "old")
    assert await stores.auth.counts(now) == {"sessions": 1, "tokens": 1, "invites": 0}
    assert await stores.auth.purge_expired(now) == 1
    assert await stores.auth.lookup("dead") is None
    assert await stores.auth.lookup("live") is not None
