"""Conversations, members, messages, reactions, search and sync over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx

from chatd.client.http import HttpTransport
from chatd.client.models import ConversationView, Items, MemberView, MessagePage, SyncPage
from chatd.domain import Envelope, Member, Message
from chatd.ids import new_id


def new_client_id() -> str:
    """A fresh idempotency key: the same value serves retries and the
    optimistic copy a UI shows before the server answers."""
    return new_id()


def message_body(body: str | None, *, client_id: str, envelope: Envelope | dict[str, Any] | None = None,
                 attachments: list[str] | None = None, reply_to: str | None = None,
                 mentions: list[str] | None = None) -> dict[str, Any]:
    """The fields of a send, shared by POST .../messages and the `send` frame."""
    out: dict[str, Any] = {"client_id": client_id}
    if body is not None:
        out["body"] = body
    if envelope is not None:
        out["envelope"] = envelope
    if attachments:
        out["attachments"] = attachments
    if reply_to is not None:
        out["reply_to"] = reply_to
    if mentions:
        out["mentions"] = mentions
    return out


class ChatsApi(HttpTransport):
    # --- conversations ---
    async def create_direct(self, user_id: str, *, e2ee: bool | None = None) -> ConversationView:
        """The direct conversation with `user_id` (the existing one if any).
        `e2ee` None: as the server's e2ee_default flag says for this user."""
        body: dict[str, Any] = {"kind": "direct", "user_id": user_id}
        if e2ee is not None:
            body["e2ee"] = e2ee
        return await self.call("POST", "/conversations", json=body, type=ConversationView)

    async def create_group(self, title: str, member_ids: list[str], *, topic: str = "",
                           e2ee: bool = False) -> ConversationView:
        """A group owned by the caller; member_ids: at most 1,000 at once."""
        body = {"kind": "group", "title": title, "member_ids": member_ids, "topic": topic, "e2ee": e2ee}
        return await self.call("POST", "/conversations", json=body, type=ConversationView)

    async def conversation(self, conversation_id: str) -> ConversationView:
        return await self.call("GET", f"/conversations/{conversation_id}", type=ConversationView)

    async def conversations(self) -> list[ConversationView]:
        return (await self.call("GET", "/conversations", type=Items[ConversationView])).items

    async def update_conversation(self, conversation_id: str, version: int, **fields: Any) -> ConversationView:
        """title=/topic=/e2ee= based on `version`; a stale one raises ChatdError
        409 whose `problem["current"]` is the conversation as it is now."""
        body = {**fields, "version": version}
        return await self.call("PATCH", f"/conversations/{conversation_id}", json=body, type=ConversationView)

    async def add_members(self, conversation_id: str, user_ids: list[str]) -> list[MemberView]:
        """Those actually added (people already in are skipped)."""
        body = {"user_ids": user_ids}
        return (await self.call("POST", f"/conversations/{conversation_id}/members", json=body,
                                type=Items[MemberView])).items

    async def set_member(self, conversation_id: str, user_id: str, *, role: str | None = None,
                         muted: bool | None = None) -> MemberView:
        """Mute for oneself; the owner sets roles."""
        body = {k: v for k, v in (("role", role), ("muted", muted)) if v is not None}
        return await self.call("PATCH", f"/conversations/{conversation_id}/members/{user_id}", json=body,
                               type=MemberView)

    async def remove_member(self, conversation_id: str, user_id: str) -> None:
        """Remove someone (owner/admin) or leave (own id)."""
        await self.call("DELETE", f"/conversations/{conversation_id}/members/{user_id}")

    async def mark_read(self, conversation_id: str, seq: int) -> Member:
        """Forward only; answers the own membership with its last_read_seq."""
        return await self.call("POST", f"/conversations/{conversation_id}/read", json={"seq": seq}, type=Member)

    # --- messages ---
    async def send(self, conversation_id: str, body: str | None = None, *, client_id: str | None = None,
                   envelope: Envelope | dict[str, Any] | None = None, attachments: list[str] | None = None,
                   reply_to: str | None = None, mentions: list[str] | None = None, retries: int = 3) -> Message:
        """Send a message. Network failures are retried with the same
        client_id, so the server stores it once whatever happened."""
        data = message_body(body, client_id=client_id or new_client_id(), envelope=envelope,
                            attachments=attachments, reply_to=reply_to, mentions=mentions)
        for attempt in range(retries + 1):
            try:
                return await self.call("POST", f"/conversations/{conversation_id}/messages", json=data, type=Message)
            except httpx.TransportError:
                if attempt == retries:
                    raise
                await asyncio.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    async def messages(self, conversation_id: str, *, before_seq: int | None = None,
                       after_seq: int | None = None, limit: int | None = None) -> MessagePage:
        params = {"before_seq": before_seq, "after_seq": after_seq, "limit": limit}
        return await self.call("GET", f"/conversations/{conversation_id}/messages", params=params, type=MessagePage)

    async def message(self, message_id: str) -> Message:
        return await self.call("GET", f"/messages/{message_id}", type=Message)

    async def edit(self, message_id: str, body: str, version: int) -> Message:
        """409 (ChatdError, problem["current"]) when `version` is stale."""
        return await self.call("PATCH", f"/messages/{message_id}", json={"body": body, "version": version}, type=Message)

    async def delete_message(self, message_id: str) -> None:
        """Leave a tombstone (sender, or the conversation's owner/admin)."""
        await self.call("DELETE", f"/messages/{message_id}")

    async def react(self, message_id: str, emoji: str) -> Message:
        return await self.call("PUT", f"/messages/{message_id}/reactions/{quote(emoji, safe='')}", type=Message)

    async def unreact(self, message_id: str, emoji: str) -> Message:
        return await self.call("DELETE", f"/messages/{message_id}/reactions/{quote(emoji, safe='')}", type=Message)

    async def search(self, q: str, *, conversation_id: str | None = None, limit: int | None = None) -> list[Message]:
        """Messages matching all words of q, newest first."""
        params = {"q": q, "conversation_id": conversation_id, "limit": limit}
        return (await self.call("GET", "/search", params=params, type=Items[Message])).items

    # --- sync ---
    async def sync(self, since: str | None = None, *, limit: int | None = None) -> SyncPage:
        """One page of events after cursor `since` (all visible history when
        None). A cursor older than retention raises ChatdError 410."""
        return await self.call("GET", "/sync", params={"since": since, "limit": limit}, type=SyncPage)

    async def sync_pages(self, since: str | None = None, *, limit: int | None = None,
                         max_pages: int = 1000) -> AsyncIterator[SyncPage]:
        """Pages until the server says no more are waiting (at most max_pages)."""
        for _ in range(max_pages):
            page = await self.sync(since, limit=limit)
            yield page
            since = page.next
            if not page.more:
                return

