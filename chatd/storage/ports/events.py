"""Port: the persistent sync log (read side) and the on-commit hand-off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import msgspec

from chatd.domain import Event


class EventNote(msgspec.Struct, frozen=True):
    """A committed event plus its audience: `user_id` set = only that user
    sees it; otherwise the current members of `event.conversation_id`."""

    event: Event
    user_id: str | None = None


# Storage calls this after commit with the events of that commit, in order.
OnCommit = Callable[[list[EventNote]], None]


class EventStore(Protocol):
    async def since(self, user_id: str, after: int, limit: int) -> list[Event]:
        """Events with seq > after that `user_id` may see now, oldest first."""
        ...

    async def oldest(self) -> int:
        """Lowest seq still retained (0 when the log is empty)."""
        ...

    async def latest(self) -> int:
        """Highest seq written so far (0 when none)."""
        ...

    async def prune(self, before: datetime) -> int:
        """Drop events created before `before`; returns how many."""
        ...
