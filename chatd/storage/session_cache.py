"""The session lookup of every request, cached in this process.

`AuthStore.lookup` (token hash -> user and session) was one database read
per authenticated request. In a one-process deployment (storage.cache =
"memory") every change to sessions and users passes through this process's
stores, so the two stores are wrapped here: a write that can change what a
lookup answers (sign-out, a revoked session or token, a password change, a
disabled user, a new role, a profile or device-key change, use of a session)
drops the cached answers of that user once it has committed. Expiry needs no
invalidation: Accounts.authenticate judges expires_at and the maximum age on
every request, cached or not.

A lookup stores its answer only if no invalidation happened while it read:
a read that saw the state before a write cannot land after that write's
invalidation. Changes made by another process (`chatd user disable` from a
shell) are not seen here: an answer is used for at most MAX_AGE_S.
Several processes (storage.cache on Redis) do not cache at all.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from chatd.domain import User
from chatd.domain.auth import Session
from chatd.storage.ports.auth import AuthStore
from chatd.storage.ports.users import UserStore

T = TypeVar("T")

MAX_AGE_S = 1.0
MAX_ENTRIES = 4096  # about 2 KB each at most; when full the oldest goes


class SessionCache:
    """token hash -> (user, session, when cached), indexed by user and session."""

    def __init__(self, max_age: float = MAX_AGE_S, max_entries: int = MAX_ENTRIES):
        self.max_age, self.max_entries = max_age, max_entries
        self.generation = 0  # moves on every invalidation
        self._entries: dict[str, tuple[User, Session, float]] = {}
        self._by_user: dict[str, set[str]] = {}
        self._by_session: dict[str, str] = {}

    def get(self, token_hash: str) -> tuple[User, Session] | None:
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if time.monotonic() - entry[2] >= self.max_age:
            self._drop(token_hash)
            return None
        return entry[0], entry[1]

    def put(self, token_hash: str, found: tuple[User, Session], generation: int) -> None:
        if generation != self.generation:
            return  # something changed while it was read: maybe from before the change
        now = time.monotonic()
        # Oldest first: answers past their age go as new ones come, so they do not pile up.
        while self._entries:
            oldest = next(iter(self._entries))
            if now - self._entries[oldest][2] < self.max_age and len(self._entries) < self.max_entries:
                break
            self._drop(oldest)
        user, session = found
        self._entries.pop(token_hash, None)  # a concurrent miss stored it: keep the order by age
        self._entries[token_hash] = (user, session, now)
        self._by_user.setdefault(user.id, set()).add(token_hash)
        self._by_session[session.id] = token_hash

    def forget_user(self, user_id: str) -> None:
        self.generation += 1
        for token_hash in self._by_user.pop(user_id, ()):
            entry = self._entries.pop(token_hash, None)
            if entry is not None:
                self._by_session.pop(entry[1].id, None)

    def forget_session(self, session_id: str) -> None:
        """The session's user too: ending or touching a session changes the user row (last_seen_at)."""
        self.generation += 1
        token_hash = self._by_session.get(session_id)
        entry = self._entries.get(token_hash) if token_hash is not None else None
        if entry is not None:
            self.forget_user(entry[0].id)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()
        self._by_user.clear()
        self._by_session.clear()

    def _drop(self, token_hash: str) -> None:
        user, session, _ = self._entries.pop(token_hash)
        self._by_session.pop(session.id, None)
        hashes = self._by_user.get(user.id)
        if hashes is not None:
            hashes.discard(token_hash)
            if not hashes:
                del self._by_user[user.id]


async def _then(write: Awaitable[T], forget: Callable[[], None]) -> T:
    """Invalidate once the write has returned (committed or failed), never before."""
    try:
        return await write
    finally:
        forget()


class CachedAuthStore:
    """AuthStore with `lookup` cached; its writes invalidate. Reads pass through."""

    # Every method of the AuthStore port, by what it does to lookups
    # (tests/unit/test_session_cache.py checks the lists cover the port).
    WRITES = ("touch", "mark_verified", "delete_session", "delete_sessions", "purge_expired")
    PASS = ("create_session", "list_sessions", "count_sessions", "create_invite", "list_invites",
            "delete_invite", "counts")

    def __init__(self, inner: AuthStore, cache: SessionCache):
        self.inner, self.cache = inner, cache

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def lookup(self, token_hash: str) -> tuple[User, Session] | None:
        found = self.cache.get(token_hash)
        if found is not None:
            return found
        generation = self.cache.generation
        found = await self.inner.lookup(token_hash)
        if found is not None:
            self.cache.put(token_hash, found, generation)
        return found

    async def touch(self, session_id: str, at: Any, *, expires_at: Any = None) -> None:
        await _then(self.inner.touch(session_id, at, expires_at=expires_at),
                    lambda: self.cache.forget_session(session_id))

    async def mark_verified(self, session_id: str, at: Any) -> bool:
        return await _then(self.inner.mark_verified(session_id, at), lambda: self.cache.forget_session(session_id))

    async def delete_session(self, session_id: str, *, user_id: str | None = None, kind: Any = None) -> bool:
        return await _then(self.inner.delete_session(session_id, user_id=user_id, kind=kind),
                           lambda: self.cache.forget_session(session_id))

    async def delete_sessions(self, user_id: str, kind: Any, *, except_id: str | None = None) -> int:
        return await _then(self.inner.delete_sessions(user_id, kind, except_id=except_id),
                           lambda: self.cache.forget_user(user_id))

    async def purge_expired(self, before: Any) -> int:
        return await _then(self.inner.purge_expired(before), self.cache.clear)


class CachedUserStore:
    """UserStore whose writes drop the user's cached lookups. Reads pass through."""

    WRITES = ("set_last_seen", "set_password", "update", "put_key", "delete_key", "set_disabled", "set_role",
              "delete_account")
    # departure_done writes only a deleted account's bookkeeping, which no cached lookup holds.
    PASS = ("create", "get", "get_many", "get_by_username", "credentials", "password_hash", "search", "list",
            "counts", "departures_pending", "departure_done")

    def __init__(self, inner: UserStore, cache: SessionCache):
        self.inner, self.cache = inner, cache
        for name in self.WRITES:
            setattr(self, name, self._forgetting(getattr(inner, name)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _forgetting(self, method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        # Every write of the port names the user first.
        async def write(user_id: str, *args: Any, **kwargs: Any) -> T:
            return await _then(method(user_id, *args, **kwargs), lambda: self.cache.forget_user(user_id))

        write.__name__ = method.__name__
        return write


def cache_sessions(users: UserStore, auth: AuthStore) -> tuple[UserStore, AuthStore]:
    cache = SessionCache()
    return CachedUserStore(users, cache), CachedAuthStore(auth, cache)  # type: ignore[return-value]
