"""The session cache's own rules (chatd/storage/session_cache.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from chatd.domain import User
from chatd.domain.auth import Session
from chatd.storage.ports.auth import AuthStore
from chatd.storage.ports.users import UserStore
from chatd.storage.session_cache import CachedAuthStore, CachedUserStore, SessionCache

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def port_methods(port: type) -> set[str]:
    return {name for name in vars(port) if not name.startswith("_")}


def test_every_method_of_both_ports_is_classified():
    # A method added to a port must be listed as a write (it invalidates) or a read.
    assert set(CachedAuthStore.WRITES) | set(CachedAuthStore.PASS) | {"lookup"} == port_methods(AuthStore)
    assert set(CachedUserStore.WRITES) | set(CachedUserStore.PASS) == port_methods(UserStore)


def found(user_id: str = "u1", session_id: str = "s1") -> tuple[User, Session]:
    user = User(id=user_id, username=user_id, display_name=user_id, created_at=NOW, updated_at=NOW)
    return user, Session(id=session_id, user_id=user_id, kind="session", created_at=NOW, last_used_at=NOW)


class SlowAuth:
    """An AuthStore whose lookup waits until told; counts lookups."""

    def __init__(self) -> None:
        self.lookups = 0
        self.release = asyncio.Event()

    async def lookup(self, token_hash: str):
        self.lookups += 1
        await self.release.wait()
        return found()

    async def delete_session(self, session_id, *, user_id=None, kind=None) -> bool:
        return True


async def test_a_lookup_that_read_before_an_invalidation_is_not_kept():
    cache = SessionCache()
    inner = SlowAuth()
    auth = CachedAuthStore(inner, cache)  # type: ignore[arg-type]
    reading = asyncio.create_task(auth.lookup("h"))
    await asyncio.sleep(0)
    await auth.delete_session("s1")  # commits while the read is under way
    inner.release.set()
    assert await reading == found()  # that caller gets what it read...
    assert cache.get("h") is None  # ...but nobody after it
    await auth.lookup("h")
    assert cache.get("h") == found() and inner.lookups == 2


def test_entries_go_after_their_max_age_and_when_full():
    cache = SessionCache(max_age=0.0)
    cache.put("h", found(), cache.generation)
    assert cache.get("h") is None
    cache = SessionCache(max_entries=2)
    for i in range(3):
        cache.put(f"h{i}", found(f"u{i}", f"s{i}"), cache.generation)
    assert cache.get("h0") is None and cache.get("h1") is not None and cache.get("h2") is not None


def test_forgetting_a_session_forgets_every_session_of_its_user():
    cache = SessionCache()
    cache.put("a", found("u1", "s1"), cache.generation)
    cache.put("b", found("u1", "s2"), cache.generation)
    cache.put("c", found("u2", "s3"), cache.generation)
    cache.forget_session("s1")
    assert cache.get("a") is None and cache.get("b") is None and cache.get("c") is not None


def test_answers_past_their_age_are_dropped_when_another_is_stored(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("chatd.storage.session_cache.time.monotonic", lambda: clock[0])
    cache = SessionCache(max_age=1.0)
    cache.put("a", found("u1", "s1"), cache.generation)
    clock[0] += 2.0
    cache.put("b", found("u2", "s2"), cache.generation)
    assert list(cache._entries) == ["b"] and "u1" not in cache._by_user and "s1" not in cache._by_session
