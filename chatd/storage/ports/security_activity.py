"""Port: each account's recent security events, and the places (device
family + network) it has signed in from, both bounded per account.

Accounts live in the SQL database, so this store does too, whatever holds
the conversations. Recording an event also appends the per-user
`security.activity` event to the sync log in the same transaction, so
every live socket of the owner gets it at once and an offline device on
its next /sync (in MongoDB mode the relay moves it, like `user.updated`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chatd.domain.security_event import SecurityEvent


class SecurityActivityStore(Protocol):
    async def record(self, user_id: str, event: SecurityEvent, keep: int) -> bool:
        """Store `event` for the user and announce it to the user only; then
        keep only the user's newest `keep` events. False (nothing written)
        for an unknown user."""
        ...

    async def page(self, user_id: str, before: str | None, limit: int) -> list[SecurityEvent]:
        """The user's events newest first (by id), those with an id below
        `before` when given; at most `limit`."""
        ...

    async def seen_place(self, user_id: str, place: str, at: datetime, keep: int) -> bool:
        """Note that the user signed in from `place` (an opaque digest) at
        `at`; True when it was not among the user's known places. Keeps the
        `keep` most recently seen places."""
        ...
