"""Queries: the same service calls as the REST GETs, with the same rules
(a non-member's conversation does not exist: NotFound, as over REST)."""

from __future__ import annotations

from typing import Any

import strawberry

from chatd.gql.context import Context, limit
from chatd.gql.types import Attachment, Contact, Conversation, ConversationPage, Me, Message, MessagePage, PublicUser
from chatd.gql.types import SyncPage
from chatd.gql.types import Event
from chatd.errors import Invalid
from chatd.services.sync import MAX_PAGE

Info = strawberry.Info[Context, Any]


@strawberry.type
class Query:
    @strawberry.field
    def me(self, info: Info) -> Me:
        return Me.of(info.context.me)

    @strawberry.field(description="Search people by username or display name.")
    async def users(self, info: Info, q: str = "", first: int = 20) -> list[PublicUser]:
        if len(q) > 64:
            raise Invalid("q is at most 64 characters.", code="invalid")
        return [PublicUser.of(u) for u in await info.context.services.accounts.search(q, limit(first, 50))]

    @strawberry.field
    async def user(self, info: Info, id: str) -> PublicUser:
        return PublicUser.of(await info.context.services.accounts.public_user(id))

    @strawberry.field
    async def contacts(self, info: Info) -> list[Contact]:
        return [Contact.of(c, u) for c, u in await info.context.services.contacts.list(info.context.me.id)]

    @strawberry.field(description="My conversations, newest activity first; `after` = the previous page's `next`.")
    async def conversations(self, info: Info, first: int = 50, after: str | None = None) -> ConversationPage:
        overviews = await info.context.services.conversations.list_for(info.context.me.id)
        start = 0
        if after is not None:
            ids = [o.conversation.id for o in overviews]
            start = ids.index(after) + 1 if after in ids else len(ids)
        page = overviews[start:start + limit(first, 200)]
        more = start + len(page) < len(overviews)
        return ConversationPage(items=[Conversation.of(o) for o in page],
                                next=page[-1].conversation.id if page and more else None)

    @strawberry.field
    async def conversation(self, info: Info, id: str) -> Conversation:
        return Conversation.of(await info.context.services.conversations.overview(info.context.me.id, id))

    @strawberry.field(description="A page by seq: the newest `first`, those before `beforeSeq`, or the oldest after `afterSeq`.")
    async def messages(self, info: Info, conversation_id: str, before_seq: int | None = None,
                       after_seq: int | None = None, first: int = 50) -> MessagePage:
        for seq in (before_seq, after_seq):
            if seq is not None and seq < 0:
                raise Invalid("Sequence numbers are not negative.", code="invalid")
        page = await info.context.services.messages.history(
            info.context.me.id, conversation_id, before_seq=before_seq, after_seq=after_seq, limit=limit(first, 200))
        return MessagePage(items=[Message.of(m) for m in page.items], has_more=page.has_more)

    @strawberry.field
    async def message(self, info: Info, id: str) -> Message:
        return Message.of(await info.context.services.messages.get(info.context.me.id, id))

    @strawberry.field(description="Files sent in a conversation, newest first: those among `ids` (a message's "
                                  "`attachments`), or a page below the id `before`.")
    async def attachments(self, info: Info, conversation_id: str, ids: list[str] | None = None,
                          before: str | None = None, first: int = 50) -> list[Attachment]:
        found = await info.context.services.media.listing(info.context.me.id, conversation_id, ids=ids,
                                                          before=before, limit=limit(first, 100))
        return [Attachment.of(a) for a in found]

    @strawberry.field(description="Messages I may read matching q, newest first (the search flag).")
    async def search(self, info: Info, q: str, conversation_id: str | None = None, first: int = 20) -> list[Message]:
        found = await info.context.services.messages.search(
            info.context.me.id, q, conversation_id=conversation_id, limit=limit(first, 100))
        return [Message.of(m) for m in found]

    @strawberry.field(description="Events after cursor `since` I may see (as GET /api/v1/sync).")
    async def sync(self, info: Info, since: str | None = None, first: int = 100) -> SyncPage:
        page = await info.context.services.sync.page(info.context.me.id, since, limit(first, MAX_PAGE))
        return SyncPage(events=[Event.of(e) for e in page.events], next=page.next, more=page.more)

    @strawberry.field(description="Which feature flags are on for me.")
    def features(self, info: Info) -> list[str]:
        return [n for n, on in info.context.services.features.for_user(info.context.me).items() if on]
