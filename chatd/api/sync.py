"""GET /api/v1/sync: the caller's events after a cursor, from the persistent log."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from chatd.api.security import Me
from chatd.services.sync import MAX_PAGE, SyncPage
from chatd.services.registry import Services


@get("/api/v1/sync", tags=["sync"])
async def sync(
    me: Me,
    services: NamedDependency[Services],
    since: Annotated[str | None, QueryParameter(max_length=32)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 100,
) -> SyncPage:
    """Events you may see after cursor `since`, oldest first; ask again from
    `next` (at once while `more`). Without `since`: no events and `next` is
    the current head: take it, load your state over REST, then sync from it.
    410 (code cursor_expired / cursor_unknown): the cursor cannot be served;
    start over that way."""
    return await services.sync.page(me.id, since, limit)


SYNC_ROUTES = [sync]
