"""Messages: send, history, one message, edit, delete, reactions.

A repeated send with the same client_id answers 200 with the first message
instead of 201: the client can tell a retry from a new message.
"""

from __future__ import annotations

from typing import Annotated

from litestar import MediaType, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from chatd.api import versions
from chatd.api.security import Me
from chatd.bounds import MAX_INT64
from chatd.domain import Message
from chatd.services.message_input import EditMessage, SendMessage
from chatd.services.registry import Services
from chatd.storage.ports.messages import HistoryPage

Seq = Annotated[int | None, QueryParameter(ge=0, le=MAX_INT64)]


@post("/api/v1/conversations/{conversation_id:str}/messages", tags=["messages"])
async def send_message(
    conversation_id: FromPath[str], data: JSONBody[SendMessage], me: Me, services: NamedDependency[Services]
) -> Response[Message]:
    """Send a message: 201 with it, or 200 with the first message when this
    client_id was sent before (a retry)."""
    message, created = await services.messages.send(me.id, conversation_id, data)
    return Response(message, status_code=201 if created else 200)


@get("/api/v1/conversations/{conversation_id:str}/messages", tags=["messages"])
async def list_messages(
    conversation_id: FromPath[str],
    me: Me,
    services: NamedDependency[Services],
    before_seq: Seq = None,
    after_seq: Seq = None,
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
) -> Response[HistoryPage]:
    """A history page, ordered by seq: the newest `limit` (or those before
    before_seq), or the oldest after after_seq. has_more: more in that direction."""
    # Already JSON (a HistoryPage's, encoded from the rows): Litestar sends the bytes as they are.
    page = await services.messages.history_json(
        me.id, conversation_id, before_seq=before_seq, after_seq=after_seq, limit=limit
    )
    return Response(page, media_type=MediaType.JSON)


@get("/api/v1/messages/{message_id:str}", tags=["messages"])
async def get_message(message_id: FromPath[str], me: Me, services: NamedDependency[Services]) -> Message:
    return await services.messages.get(me.id, message_id)


@patch("/api/v1/messages/{message_id:str}", tags=["messages"])
async def edit_message(
    message_id: FromPath[str],
    data: JSONBody[EditMessage],
    me: Me,
    services: NamedDependency[Services],
    if_match: Annotated[str | None, HeaderParameter(name="If-Match")] = None,
) -> Message:
    """Edit your message ({body} or, encrypted, {envelope}) based on `version`
    or If-Match; a stale version answers 409 with the current message."""
    return await services.messages.edit(me.id, message_id, data, version=versions.if_match(if_match))


@delete("/api/v1/messages/{message_id:str}", status_code=204, tags=["messages"])
async def delete_message(message_id: FromPath[str], me: Me, services: NamedDependency[Services]) -> None:
    """Leave a tombstone (sender, or conversation owner/admin); again is fine."""
    await services.messages.delete(me.id, message_id)


@put("/api/v1/messages/{message_id:str}/reactions/{emoji:str}", tags=["messages"])
async def add_reaction(
    message_id: FromPath[str], emoji: FromPath[str], me: Me, services: NamedDependency[Services]
) -> Message:
    """Add your reaction (URL-encoded emoji); adding it again changes nothing."""
    return await services.messages.react(me.id, message_id, emoji, add=True)


@delete("/api/v1/messages/{message_id:str}/reactions/{emoji:str}", status_code=200, tags=["messages"])
async def remove_reaction(
    message_id: FromPath[str], emoji: FromPath[str], me: Me, services: NamedDependency[Services]
) -> Message:
    return await services.messages.react(me.id, message_id, emoji, add=False)


MESSAGE_ROUTES = [send_message, list_messages, get_message, edit_message, delete_message, add_reaction, remove_reaction]
