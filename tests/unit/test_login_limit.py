"""LoginLimiter over a real MemoryStore: per-name and per-address windows."""

import pytest
from litestar.stores.memory import MemoryStore

from chatd.errors import RateLimited
from chatd.services.login_limit import LoginLimiter


async def test_limits_per_name_and_per_address_and_success_resets_the_name():
    limiter = LoginLimiter(MemoryStore(), per_minute=2)
    await limiter.failed("alice", "10.0.0.1")
    await limiter.failed("alice", "10.0.0.2")
    with pytest.raises(RateLimited) as err:
        await limiter.check("alice", "10.0.0.3")
    assert 1 <= err.value.extra["retry_after"] <= 60
    await limiter.check("bob", "10.0.0.1")  # other name, address below its limit
    await limiter.succeeded("alice")
    await limiter.check("alice", "10.0.0.3")
    await limiter.failed("bob", "10.0.0.1")
    with pytest.raises(RateLimited):
        await limiter.check("carol", "10.0.0.1")  # the address is full now
    await limiter.check("carol", None)
