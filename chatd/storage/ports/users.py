"""Port: user accounts, their password hashes and device keys.

Usernames arrive lowercased and validated (the service's job); the store
keeps them unique. Only `User` leaves a store: the password hash is read by
`credentials` alone, for the login check. Every change of a User appends a
per-user `user.updated` event (payload: the User as it now is) in the same
atomic step.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, Protocol

from chatd.domain import DeviceKey, Role, User


class UserStore(Protocol):
    async def create(self, user: User, password_hash: str, *, invite_hash: str | None = None) -> User:
        """Insert `user`, atomically: when no user exists yet it becomes
        `admin` whatever role it asked for (the first user of a server).
        `invite_hash` set: consume one use of that invite in the same step.
        Raises Conflict(code="username_taken") for a taken username and
        Forbidden(code="invite_invalid") for an unknown, expired or used-up
        invite; then nothing is written."""
        ...

    async def get(self, user_id: str) -> User | None: ...

    async def set_last_seen(self, user_id: str, at: datetime) -> None:
        """Record when the user was last connected (presence going offline).
        Never moves it back; not a profile change (no version, no event)."""
        ...

    async def get_many(self, user_ids: Collection[str]) -> dict[str, User]:
        """The users among `user_ids` that exist (disabled ones included), by id."""
        ...

    async def get_by_username(self, username: str) -> User | None: ...

    async def credentials(self, username: str) -> tuple[User, str] | None:
        """The user and its password hash, for the login check only; None
        for a deleted account too."""
        ...

    async def password_hash(self, user_id: str) -> str | None: ...

    async def set_password(self, user_id: str, password_hash: str, *, keep_session_id: str | None = None,
                           end_sessions: bool = False) -> None:
        """Store a new hash. `end_sessions`: also end every login session of
        the user except `keep_session_id` (personal API tokens stay)."""
        ...

    async def update(self, user_id: str, changes: dict[str, Any], *, version: int) -> User:
        """Apply profile `changes` (display_name, avatar, bio, status_text,
        preferences) when the stored version is `version`; version + 1.
        Raises NotFound, or Conflict(code="version_conflict",
        extra={"current": user}) on a stale version (nothing written)."""
        ...

    async def put_key(self, user_id: str, key: DeviceKey, *, max_devices: int) -> User:
        """Add or replace one device's keys. Raises Conflict(code="too_many_devices")
        when a new device would exceed `max_devices`."""
        ...

    async def delete_key(self, user_id: str, device_id: str) -> User | None:
        """Drop one device's keys; None when there was no such device."""
        ...

    async def search(self, query: str, limit: int) -> list[User]:
        """Enabled users whose username starts with `query` or whose display
        name contains it (case-insensitive), by username."""
        ...

    async def list(self, *, query: str = "", after: str = "", limit: int = 100) -> list[User]:
        """All users (admin view), by username, those after `after`."""
        ...

    async def set_disabled(self, user_id: str, disabled: bool) -> User | None:
        """None for an unknown user. Raises Conflict(code="last_admin") when
        this would disable the last enabled admin."""
        ...

    async def set_role(self, user_id: str, role: Role) -> User | None:
        """None for an unknown user. Raises Conflict(code="last_admin") when
        this would demote the last enabled admin."""
        ...

    async def delete_account(self, user_id: str, *, display_name: str) -> User | None:
        """Erase an account for good, in one atomic step: its profile
        (display name set to `display_name`, avatar, bio, status,
        preferences), password (none works any more), role (member), device
        keys, key backup, sessions and API tokens, and its contacts on both
        sides (each other side gets `contact.removed`). The row stays,
        disabled, as the sender of its messages and the holder of its
        username (never given again); `credentials` no longer finds it.
        Appends `user.updated` (so its live sockets close). None for an unknown or already deleted
        user; Conflict(code="last_admin") when it is the last enabled admin,
        then nothing is written. The account's leaving of its groups (the
        conversation side's) is then pending until `departure_done`."""
        ...

    async def departures_pending(self, limit: int) -> list[str]:
        """Ids of deleted accounts, oldest deletion first, whose leaving of
        their groups has not been recorded as finished."""
        ...

    async def departure_done(self, user_id: str) -> None:
        """Record that the deleted account has left every group."""
        ...

    async def counts(self) -> dict[str, int]:
        """{"users", "admins", "disabled"}."""
        ...
