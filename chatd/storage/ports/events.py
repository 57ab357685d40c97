"""Port: the persistent sync log (read side) and the committed-events feed.

Every adapter that records events (in the same atomic step as the change)
hands them to `CommittedEvents` listeners after that step commits, in commit
order, never for a step that was undone. Real-time delivery listens here and
never sees how or where the events were committed."""

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
    # `event` JSON-encoded, byte for byte what the log answers for it, when
    # the store has it at hand (it encoded the payload for the log anyway):
    # the bus then sends it as it is.
    frame: bytes | None = None


# Storage calls this after commit with the events of that commit, in order.
OnCommit = Callable[[list[EventNote]], None]


class CommittedEvents(Protocol):
    def listen(self, listener: OnCommit) -> Callable[[], None]:
        """Call `listener` with the events of every atomic step committed from
        now on (synchronously, right after the commit; it must not block).
        Returns the function that stops listening."""
        ...


class EventPage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of a user's view of the log.

    `events`: what the user may see, oldest first. `next`: the seq to continue
    after; every event the user may see with a seq <= next is in `events` (or
    was at or before the cursor asked from). It can be past the last event
    returned: the page may skip over other people's events. `more`: the log
    holds events after `next` (visible or not) or the page is full.
    """

    events: list[Event]
    next: int
    more: bool


class EventStore(Protocol):
    async def since(self, user_id: str, after: int, limit: int) -> EventPage:
        """Events with seq > after that `user_id` may see NOW, oldest first:
        per-user events addressed to them, and conversation-wide events of
        conversations they are a member of at the time of the call. At most
        `limit` events; the store may also stop early after examining a
        bounded stretch of the log (then `more` is true), so one call costs
        the same however far behind the cursor is."""
        ...

    async def between(self, after: int, upto: int, limit: int) -> list[EventNote]:
        """Every event with after < seq <= upto (all audiences), oldest first:
        the real-time hub uses it to fill gaps in what it heard live."""
        ...

    async def oldest(self) -> int:
        """Lowest seq still retained (0 when the log is empty)."""
        ...

    async def latest(self) -> int:
        """Highest seq written so far (0 when none)."""
        ...

    async def prune(self, before: datetime) -> int:
        """Drop events created before `before`; returns how many. Only ever a
        prefix of the log (by seq) goes, and never the newest event, so
        `oldest()` tells which cursors are still complete."""
        ...
