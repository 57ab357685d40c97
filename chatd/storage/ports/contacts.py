"""Port: contacts (the relation between two users, one row per side)."""

from __future__ import annotations

from typing import Protocol

from chatd.domain import Contact


class ContactStore(Protocol):
    async def get(self, owner_id: str, user_id: str) -> Contact | None:
        """How `owner_id` sees `user_id`: used for block checks everywhere."""
        ...
