"""The send path's cheap parts: id encoding and the in-process send limiter."""

from __future__ import annotations

import random

import pytest

from chatd import ids
from chatd.errors import RateLimited
from chatd.services import send_limit
from chatd.services.send_limit import SendLimiter
from chatd.storage.memory import counters as memory_counters
from chatd.storage.memory.counters import MemoryCounterStore

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def digit_by_digit(value: int) -> str:
    """The plain definition: 26 base-32 digits, least significant computed first."""
    digits = []
    for _ in range(26):
        digits.append(CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(digits))


def test_encode_matches_the_plain_definition() -> None:
    rng = random.Random(7)
    for value in [0, 1, 31, 32, 2**80 - 1, 2**128 - 1, 2**130 - 1] + [rng.getrandbits(128) for _ in range(2000)]:
        assert ids.encode(value) == digit_by_digit(value)


def test_new_ids_are_ulids_that_sort_by_time() -> None:
    first, second = ids.new_id(), ids.new_id()
    assert len(first) == 26 and set(first) <= set(CROCKFORD)
    assert first[:10] <= second[:10]  # the 48-bit millisecond prefix
    assert first != second


def test_ids_stay_unique_across_pool_refills_and_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:  # 4 x 2,000 ids: several 409-id pool refills, taken concurrently
        made = [i for chunk in pool.map(lambda _: [ids.new_id() for _ in range(2000)], range(4)) for i in chunk]
    assert len(set(made)) == len(made)
    assert len({i[10:] for i in made}) == len(made)  # the random part alone never repeats either


async def test_limit_per_user_per_window(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [600.0]
    monkeypatch.setattr(send_limit.time, "time", lambda: now[0])
    monkeypatch.setattr(memory_counters.time, "time", lambda: now[0])
    limiter = SendLimiter(MemoryCounterStore(), per_minute=3)
    for _ in range(3):
        await limiter.hit("alice")
    with pytest.raises(RateLimited) as refused:
        await limiter.hit("alice")
    assert refused.value.extra["retry_after"] == 60
    await limiter.hit("bob")  # others have their own count
    now[0] = 659.5
    with pytest.raises(RateLimited) as refused:
        await limiter.hit("alice")
    assert refused.value.extra["retry_after"] == 1
    now[0] = 660.0  # the next window starts empty
    for _ in range(3):
        await limiter.hit("alice")
    with pytest.raises(RateLimited):
        await limiter.hit("alice")


async def test_memory_counts_are_swept_not_kept_forever(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr(memory_counters.time, "time", lambda: now[0])
    monkeypatch.setattr(memory_counters, "PRUNE_AT", 10)
    counters = MemoryCounterStore()
    for i in range(10):
        await counters.hit(f"user{i}", 60)
    now[0] = 60.0  # a new window: a new key sweeps the old counts
    assert await counters.hit("newcomer", 60) == 1
    assert counters._counts == {"newcomer": (60, 1)}
    assert await counters.hit("user0", 60) == 1  # the swept count started again


def test_none_is_bound_as_null_through_the_registered_adapter() -> None:
    """Python 3.11's sqlite3 finds None's adapter before its costly protocol
    lookup (chatd/storage/sql/sqlite.py); a None must still be stored as NULL."""
    import sqlite3

    from chatd.storage.sql import sqlite as chatd_sqlite

    assert sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)] is chatd_sqlite._null
    raw = chatd_sqlite.connect(":memory:")
    assert tuple(raw.execute("SELECT typeof(?), ? IS NULL, typeof(?)", (None, None, 1)).fetchone()) == ("null", 1, "integer")
