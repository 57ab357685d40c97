"""Port: login sessions, personal API tokens (both rows of `sessions`) and invites.

Secrets never reach a store: callers pass sha256 hex digests of tokens and
invite codes. `lookup` is the hot path of every authenticated request: one
indexed read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chatd.domain import User
from chatd.domain.auth import Invite, Session, SessionKind


class AuthStore(Protocol):
    async def create_session(self, session: Session, token_hash: str) -> Session: ...

    async def lookup(self, token_hash: str) -> tuple[User, Session] | None:
        """The session (or token) with this hash and its user, expired or not:
        the caller judges expiry and disabled users."""
        ...

    async def touch(self, session_id: str, at: datetime, *, expires_at: datetime | None = None) -> None:
        """Record use (and slide the expiry when given); also the user's last_seen_at."""
        ...

    async def mark_verified(self, session_id: str, at: datetime) -> bool:
        """Record that the session's user proved a factor at `at` (step-up);
        False when there is no such session."""
        ...

    async def delete_session(self, session_id: str, *, user_id: str | None = None,
                             kind: SessionKind | None = None) -> bool:
        """End one session/token; `user_id`/`kind` restrict which one may go.
        False when nothing matched."""
        ...

    async def delete_sessions(self, user_id: str, kind: SessionKind, *, except_id: str | None = None) -> int:
        """End all of a user's sessions (or tokens) but `except_id`; how many."""
        ...

    async def list_sessions(self, user_id: str, kind: SessionKind) -> list[Session]:
        """Oldest first."""
        ...

    async def count_sessions(self, user_id: str, kind: SessionKind) -> int: ...

    async def create_invite(self, invite: Invite, code_hash: str) -> Invite: ...

    async def list_invites(self) -> list[Invite]:
        """Newest first, expired and used-up ones included."""
        ...

    async def delete_invite(self, invite_id: str) -> bool: ...

    async def purge_expired(self, before: datetime) -> int:
        """Delete sessions/tokens that expired before `before`; how many."""
        ...

    async def counts(self, at: datetime) -> dict[str, int]:
        """{"sessions", "tokens", "invites"}: unexpired ones at `at`."""
        ...
