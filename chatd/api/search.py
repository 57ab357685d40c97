"""Full-text search over the messages the caller may read now."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from chatd.api.security import Me
from chatd.domain import Message
from chatd.services.registry import Services


class SearchResults(msgspec.Struct, kw_only=True):
    items: list[Message]


@get("/api/v1/search", tags=["messages"])
async def search_messages(
    me: Me,
    services: NamedDependency[Services],
    q: Annotated[str, QueryParameter(max_length=1024)] = "",
    conversation_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
) -> SearchResults:
    """Messages matching the words of q (all of them; no query syntax), newest
    first. Deleted and end-to-end encrypted messages never match."""
    return SearchResults(items=await services.messages.search(me.id, q, conversation_id=conversation_id, limit=limit))


SEARCH_ROUTES = [search_messages]
