"""SecondFactorStore contract on both SQL engines (the only place accounts
live): enrolment replaced until confirmed, steps accepted only forward and
once, recovery codes spent once, one account never reaching another's; and
AuthStore.mark_verified, the session's step-up time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from chatd import clock
from chatd.errors import Conflict, NotFound
from tests.contract.test_auth_store import make_user, session


@pytest.fixture
async def alice(stores):
    return await make_user(stores, "alice")


async def test_begin_then_confirm_puts_it_in_force_with_its_codes(stores, alice):
    f = stores.second_factors
    assert await f.get_totp(alice.id) is None
    at = clock.now()
    begun = await f.begin_totp(alice.id, "plain:FIRST", at)
    assert begun.confirmed_at is None and begun.last_step == 0 and begun.created_at == at
    await f.begin_totp(alice.id, "plain:SECOND", at)  # an unconfirmed one is replaced
    got = await f.get_totp(alice.id)
    assert got.secret == "plain:SECOND" and got.confirmed_at is None
    assert await f.recovery_codes_left(alice.id) == 0
    assert await f.confirm_totp(alice.id, 1000, ["h1", "h2", "h3"], at) is True
    got = await f.get_totp(alice.id)
    assert got.confirmed_at == at and got.last_step == 1000
    assert await f.recovery_codes_left(alice.id) == 3
    assert await f.confirm_totp(alice.id, 1001, ["h9"], at) is False  # nothing unconfirmed left
    assert await f.recovery_codes_left(alice.id) == 3
    with pytest.raises(Conflict) as err:
        await f.begin_totp(alice.id, "plain:THIRD", at)
    assert err.value.code == "second_factor_enabled"
    assert (await f.get_totp(alice.id)).secret == "plain:SECOND"


async def test_unknown_users_get_nothing_written(stores):
    with pytest.raises(NotFound):
        await stores.second_factors.begin_totp("nobody", "plain:X", clock.now())
    assert await stores.second_factors.get_totp("nobody") is None
    assert await stores.second_factors.confirm_totp("nobody", 1, ["h"], clock.now()) is False


async def test_steps_are_accepted_only_forward_and_once(stores, alice):
    f = stores.second_factors
    await f.begin_totp(alice.id, "plain:S", clock.now())
    assert await f.use_totp_step(alice.id, 50) is False  # not confirmed: not in force
    await f.confirm_totp(alice.id, 100, [], clock.now())
    assert await f.use_totp_step(alice.id, 100) is False  # the confirming code itself
    assert await f.use_totp_step(alice.id, 99) is False
    assert await f.use_totp_step(alice.id, 101) is True
    assert await f.use_totp_step(alice.id, 101) is False
    assert (await f.get_totp(alice.id)).last_step == 101


async def test_racing_uses_of_one_step_or_one_code_let_one_through(stores, alice):
    f = stores.second_factors
    await f.begin_totp(alice.id, "plain:S", clock.now())
    await f.confirm_totp(alice.id, 100, ["code-a"], clock.now())
    steps = await asyncio.gather(*[f.use_totp_step(alice.id, 101) for _ in range(6)])
    assert sorted(steps) == [False] * 5 + [True]
    codes = await asyncio.gather(*[f.use_recovery_code(alice.id, "code-a", clock.now()) for _ in range(6)])
    assert sorted(codes) == [False] * 5 + [True]


async def test_recovery_codes_are_spent_once_and_only_by_their_account(stores, alice):
    bob = await make_user(stores, "bob")
    f = stores.second_factors
    for who, hashes in ((alice, ["a1", "a2"]), (bob, ["b1"])):
        await f.begin_totp(who.id, "plain:S", clock.now())
        await f.confirm_totp(who.id, 1, hashes, clock.now())
    assert await f.use_recovery_code(bob.id, "a1", clock.now()) is False
    assert await f.use_recovery_code(alice.id, "a1", clock.now()) is True
    assert await f.use_recovery_code(alice.id, "a1", clock.now()) is False
    assert await f.recovery_codes_left(alice.id) == 1 and await f.recovery_codes_left(bob.id) == 1


async def test_a_new_confirmation_replaces_the_old_codes(stores, alice):
    f = stores.second_factors
    await f.begin_totp(alice.id, "plain:S", clock.now())
    await f.confirm_totp(alice.id, 1, ["old"], clock.now())
    assert await f.delete_totp(alice.id) is True
    assert await f.recovery_codes_left(alice.id) == 0 and await f.get_totp(alice.id) is None
    assert await f.use_recovery_code(alice.id, "old", clock.now()) is False
    await f.begin_totp(alice.id, "plain:T", clock.now())
    await f.confirm_totp(alice.id, 2, ["new"], clock.now())
    assert await f.use_recovery_code(alice.id, "old", clock.now()) is False
    assert await f.use_recovery_code(alice.id, "new", clock.now()) is True
    assert await f.delete_totp(alice.id) is True and await f.delete_totp(alice.id) is False


async def test_mark_verified_is_seen_by_lookup_and_kept_per_session(stores, alice):
    one = await stores.auth.create_session(session(alice), "digest-1")
    await stores.auth.create_session(session(alice), "digest-2")
    assert one.verified_at is None and (await stores.auth.lookup("digest-1"))[1].verified_at is None
    at = clock.now() - timedelta(minutes=3)
    assert await stores.auth.mark_verified(one.id, at) is True
    assert (await stores.auth.lookup("digest-1"))[1].verified_at == at
    assert (await stores.auth.lookup("digest-2"))[1].verified_at is None
    assert await stores.auth.mark_verified("no-such-session", at) is False
    listed = await stores.auth.list_sessions(alice.id, "session")
    assert {s.id: s.verified_at for s in listed}[one.id] == at


async def test_factors_outlive_the_process(stores, database_url, tmp_path, alice):
    from chatd.storage.build import open_stores
    from tests.conftest import make_config

    await stores.second_factors.begin_totp(alice.id, "v1:sealed", clock.now())
    await stores.second_factors.confirm_totp(alice.id, 7, ["h"], clock.now())
    again = await open_stores(make_config(tmp_path, database_url), run_migrations=False)
    try:
        got = await again.second_factors.get_totp(alice.id)
        assert got.secret == "v1:sealed" and got.last_step == 7 and got.confirmed_at is not None
        assert await again.second_factors.recovery_codes_left(alice.id) == 1
    finally:
        await again.close()


async def test_secrets_are_listed_in_pages_and_replaced_only_if_unchanged(stores, alice):
    """What `chatd reseal` relies on beside a running server: a secret is
    replaced only while it still holds what was read (a new enrolment wins)."""
    f = stores.second_factors
    users = [alice] + [await make_user(stores, f"user{i}") for i in range(4)]
    for i, user in enumerate(users):
        await f.begin_totp(user.id, f"plain:S{i}", clock.now())
    pages, after = [], ""
    while page := await f.stored_secrets(after=after, limit=2):
        pages.append(page)
        after = page[-1][0]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(row for p in pages for row in p) == sorted((u.id, f"plain:S{i}") for i, u in enumerate(users))
    assert await f.replace_secret(alice.id, "plain:S0", "v1:NEW") is True
    assert (await f.get_totp(alice.id)).secret == "v1:NEW"
    assert await f.replace_secret(alice.id, "plain:S0", "v1:OTHER") is False  # changed since it was read
    assert (await f.get_totp(alice.id)).secret == "v1:NEW"
