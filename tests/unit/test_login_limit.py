"""LoginLimiter over a real MemoryStore: per account+address, per address,
per account (unknown devices only), the back-off, known devices."""

import logging

import pytest
from litestar.stores.memory import MemoryStore

from chatd.errors import RateLimited
from chatd.services.login_limit import LoginLimiter


async def fail(limiter, name, address, times, known=False):
    for _ in range(times):
        await limiter.failed(name, address, known)


async def test_a_pair_fills_up_but_the_account_stays_open_elsewhere():
    limiter = LoginLimiter(MemoryStore(), per_minute=2, per_address=10, per_account=10)
    await fail(limiter, "alice", "10.0.0.1", 2)
    with pytest.raises(RateLimited) as err:
        await limiter.check("alice", "10.0.0.1")
    assert 1 <= err.value.extra["retry_after"] <= 60
    await limiter.check("alice", "10.0.0.2")  # the owner elsewhere
    await limiter.check("bob", "10.0.0.1")  # another account from the same address
    await limiter.succeeded("alice", "10.0.0.2")


async def test_an_address_spraying_many_accounts_is_stopped():
    limiter = LoginLimiter(MemoryStore(), per_minute=5, per_address=3, per_account=10)
    for name in ("u1", "u2", "u3"):
        await fail(limiter, name, "10.0.0.1", 1)
    with pytest.raises(RateLimited):
        await limiter.check("carol", "10.0.0.1")
    await limiter.check("carol", "10.0.0.2")


async def test_many_addresses_on_one_account_stop_unknown_devices_only():
    limiter = LoginLimiter(MemoryStore(), per_minute=5, per_address=10, per_account=3)
    await limiter.succeeded("alice", "10.0.0.9")  # the owner's usual address
    for i in range(3):
        await fail(limiter, "alice", f"10.1.0.{i}", 1)
    with pytest.raises(RateLimited):
        await limiter.check("alice", "10.1.0.77")
    assert await limiter.known("alice", "10.0.0.9")
    await limiter.check("alice", "10.0.0.9", known=True)


async def test_a_known_device_gets_a_larger_pair_budget():
    limiter = LoginLimiter(MemoryStore(), per_minute=2, per_address=100, per_account=100)
    await fail(limiter, "alice", "10.0.0.1", 5, known=True)
    await limiter.check("alice", "10.0.0.1", known=True)
    await fail(limiter, "alice", "10.0.0.1", 1, known=True)
    with pytest.raises(RateLimited):
        await limiter.check("alice", "10.0.0.1", known=True)


async def test_each_lock_out_of_a_pair_waits_twice_as_long_and_is_logged(caplog):
    store = MemoryStore()
    limiter = LoginLimiter(store, per_minute=2, per_address=100, per_account=100)
    waits = []
    with caplog.at_level(logging.WARNING, logger="chatd.auth"):
        for _ in range(3):
            await fail(limiter, "alice", "10.0.0.1", 2)
            with pytest.raises(RateLimited) as err:
                await limiter.check("alice", "10.0.0.1")
            waits.append(err.value.extra["retry_after"])
            await store.delete("login:pair:alice:10.0.0.1")  # as if the wait were over
    assert waits[0] <= 60 < waits[1] <= 120 < waits[2] <= 240, waits
    lines = [r.getMessage() for r in caplog.records if "sign-in limit reached" in r.getMessage()]
    assert len(lines) == 3 and "alice" in lines[0] and "10.0.0.1" in lines[0]
