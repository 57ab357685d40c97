"""Sync cursors: what `since` means, and when a cursor can no longer be served.

A cursor is the decimal seq of the last event the client has (opaque to
clients: they only echo it back). It is complete when nothing after it was
pruned: `since >= oldest retained - 1`. A cursor beyond the log's head did
not come from this log (the database was restored from a backup, or the
client talks to another server): it is just as unusable.
"""

from __future__ import annotations

import re

import msgspec

from chatd.domain import Event
from chatd.errors import Gone, Invalid
from chatd.storage.ports.events import EventPage, EventStore

_CURSOR = re.compile(r"[0-9]{1,18}")
MAX_PAGE = 1000
# What a client must load again over REST when its cursor cannot be served.
REFETCH = ["me", "contacts", "conversations", "messages"]


class SyncPage(msgspec.Struct, kw_only=True):
    """GET /api/v1/sync: the events, the cursor to ask from next, and
    whether more are waiting right now."""

    events: list[Event]
    next: str
    more: bool


def parse_cursor(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not _CURSOR.fullmatch(raw):
        raise Invalid("since is a cursor this server handed out (the `next` of a sync).", code="invalid_cursor")
    return int(raw)


def cursor_gone(code: str, detail: str) -> Gone:
    return Gone(detail + " Take a new cursor (GET /api/v1/sync without since), load your state again over"
                " REST, then sync from that cursor.", code=code, extra={"refetch": REFETCH})


class SyncService:
    def __init__(self, events: EventStore):
        self.events = events

    async def head(self) -> int:
        return await self.events.latest()

    async def check(self, since: int) -> None:
        """Raise Gone unless every event after `since` is still in the log."""
        oldest, latest = await self.events.oldest(), await self.events.latest()
        if since > latest:
            raise cursor_gone("cursor_unknown", "This cursor is not from this server's event log.")
        if oldest and since < oldest - 1:
            raise cursor_gone("cursor_expired", "Events after this cursor were pruned (retention).")

    async def read(self, user_id: str, since: int, limit: int) -> EventPage:
        page = await self.events.since(user_id, since, min(limit, MAX_PAGE))
        # Checked after reading: a prune between a check and the read would
        # otherwise hand out a page with a hole at its start.
        await self.check(since)
        return page

    async def page(self, user_id: str, since: str | None, limit: int) -> SyncPage:
        """No cursor: no events, and `next` is the head of the log. A fresh
        client takes that cursor first, then loads its state over REST, then
        syncs from the cursor: changes made while it loaded come again
        (entities as they now are, so applying them twice is harmless)."""
        cursor = parse_cursor(since)
        if cursor is None:
            return SyncPage(events=[], next=str(await self.head()), more=False)
        page = await self.read(user_id, cursor, limit)
        return SyncPage(events=page.events, next=str(page.next), more=page.more)
