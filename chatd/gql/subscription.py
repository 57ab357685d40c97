"""Subscriptions: the caller's events, from a cursor, exactly once.

Fed by the sync service, the same reader as GET /api/v1/sync and the
WebSocket gateway's replay: every page is read with the membership as it is
at that moment (a removed member stops getting a conversation's events; no
event a REST client would not see), and the cursor only ever moves forward,
so a client that resumes from the last event's `cursor` gets each event once.
The real-time hub wakes waiting subscriptions when an event is committed
(`Context.wait_for_events`); the read itself always comes from the log.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from chatd.gql.context import Context
from chatd.gql.types import Event

Info = strawberry.Info[Context, Any]
PAGE = 200


@strawberry.type
class Subscription:
    @strawberry.subscription(description="My events after cursor `since` (none: from now on), then live ones. "
                                         "Resume after a drop with the last event's `cursor`.")
    async def events(self, info: Info, since: str | None = None) -> AsyncGenerator[Event, None]:
        ctx = info.context
        cursor = since
        while True:
            # Woken before reading: an event committed while we read is not missed.
            wake = ctx.wait_for_events()
            page = await ctx.services.sync.page(ctx.me.id, cursor, PAGE)
            for event in page.events:
                yield Event.of(event)
            cursor = page.next
            if not page.more:
                await wake()
                # Before reading on: a logout, a disabled account or the
                # flag turned off for this user ends the subscription.
                await ctx.still_allowed()
