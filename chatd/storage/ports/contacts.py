"""Port: contacts (the relation between two users, one row per side)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Protocol

import msgspec

from chatd.domain import Contact


class ContactPair(msgspec.Struct, frozen=True):
    """Both sides of one relation: how `mine.owner` sees the other user and back."""

    mine: Contact | None = None
    theirs: Contact | None = None


# The rules (services) as a pure function: both sides as stored -> both sides as
# they must be (None = no row). It may raise a chatd.errors exception to refuse.
Decide = Callable[[ContactPair], ContactPair]


class ContactStore(Protocol):
    async def get(self, owner_id: str, user_id: str) -> Contact | None:
        """How `owner_id` sees `user_id`: used for block checks everywhere."""
        ...

    async def list(self, owner_id: str) -> list[Contact]:
        """Every relation `owner_id` holds (any status), most recently changed first."""
        ...

    async def change(self, owner_id: str, user_id: str, decide: Decide) -> tuple[ContactPair, ContactPair]:
        """Atomically read both sides, apply `decide`, store the difference and
        append one event per side changed (`contact.updated` with the Contact,
        or `contact.removed` with {owner_id, user_id}, to that side's owner).
        Returns (before, after)."""
        ...

    async def blocked_between(self, a: str, b: str) -> bool:
        """True when either user blocked the other."""
        ...

    async def blockers_among(self, user_id: str, others: Collection[str]) -> set[str]:
        """Those of `others` who blocked `user_id`."""
        ...
