"""SecurityKeyStore contract (part of the second-factor store) on both SQL
engines: a credential id names one account, counters only go up, one
challenge is accepted once per key even without a counter, and one account
never reaches another's keys."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from chatd import clock, ids
from chatd.errors import Conflict, NotFound
from chatd.storage.ports.security_keys import MAX_KEYS, StoredKey
from tests.contract.test_auth_store import make_user


@pytest.fixture
async def alice(stores):
    return await make_user(stores, "alice")


def key(user_id: str, credential: str, name: str = "k", *, later_ms: int = 0) -> StoredKey:
    # Keys list by created_at, then id; two made in one millisecond have
    # ids in no particular order, so a test of the order spaces them out.
    at = clock.now() + timedelta(milliseconds=later_ms)
    return StoredKey(id=ids.new_id(), user_id=user_id, credential_id=credential, public_key="pk-" + credential,
                     transports=["usb", "nfc"], name=name, created_at=at)


async def test_keys_are_added_listed_found_renamed_and_removed(stores, alice):
    f = stores.second_factors
    bob = await make_user(stores, "bob")
    one = await f.add_key(key(alice.id, "c1", "first"))
    await f.add_key(key(alice.id, "c2", "second", later_ms=1))
    await f.add_key(key(bob.id, "c3"))
    assert [k.name for k in await f.list_keys(alice.id)] == ["first", "second"]
    found = await f.find_key("c1")
    assert found == one and found.transports == ["usb", "nfc"] and found.last_used_at is None
    assert await f.find_key("nope") is None
    assert (await f.rename_key(alice.id, one.id, "renamed")).name == "renamed"
    assert await f.rename_key(bob.id, one.id, "stolen") is None
    assert await f.delete_key(bob.id, one.id) is None
    assert (await f.delete_key(alice.id, one.id)).name == "renamed"
    assert await f.delete_key(alice.id, one.id) is None
    assert [k.credential_id for k in await f.list_keys(alice.id)] == ["c2"]
    assert await f.delete_keys(alice.id) == 1 and await f.list_keys(alice.id) == []
    assert len(await f.list_keys(bob.id)) == 1


async def test_a_credential_names_one_account_and_an_account_holds_at_most_max_keys(stores, alice):
    f = stores.second_factors
    bob = await make_user(stores, "bob")
    await f.add_key(key(alice.id, "shared"))
    with pytest.raises(Conflict) as err:
        await f.add_key(key(bob.id, "shared"))
    assert err.value.code == "security_key_registered"
    for n in range(MAX_KEYS - 1):
        await f.add_key(key(alice.id, f"c{n}"))
    with pytest.raises(Conflict) as err:
        await f.add_key(key(alice.id, "one too many"))
    assert err.value.code == "too_many_keys"
    with pytest.raises(NotFound):
        await f.add_key(key("no-such-user", "orphan"))
    assert await f.find_key("one too many") is None and await f.find_key("orphan") is None


async def test_counters_only_go_up_and_a_challenge_is_used_once(stores, alice):
    f = stores.second_factors
    await f.add_key(key(alice.id, "counted"))
    at = clock.now()
    assert await f.use_key(alice.id, "counted", 1, "ch1", at) is True
    assert await f.use_key(alice.id, "counted", 1, "ch2", at) is False  # not above 1
    assert await f.use_key(alice.id, "counted", 5, "ch1", at) is False  # the same challenge again
    assert await f.use_key(alice.id, "counted", 5, "ch3", at) is True
    got = await f.find_key("counted")
    assert got.sign_count == 5 and got.last_used_at == at
    # A key without a counter (always 0): each challenge once.
    await f.add_key(key(alice.id, "counterless"))
    assert await f.use_key(alice.id, "counterless", 0, "a", at) is True
    assert await f.use_key(alice.id, "counterless", 0, "a", at) is False
    assert await f.use_key(alice.id, "counterless", 0, "b", at) is True
    bob = await make_user(stores, "bob")
    assert await f.use_key(bob.id, "counted", 9, "x", at) is False  # not bob's
    assert (await f.find_key("counted")).sign_count == 5


async def test_two_racing_uses_of_one_answer_win_once(stores, alice):
    f = stores.second_factors
    await f.add_key(key(alice.id, "raced"))
    results = await asyncio.gather(*[f.use_key(alice.id, "raced", 0, "same", clock.now()) for _ in range(4)])
    assert sorted(results) == [False, False, False, True]
