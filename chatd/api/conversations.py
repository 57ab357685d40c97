"""Conversations, their members and read markers.

Anything inside a conversation answers 404 to a non-member (never 403).
Opening a direct conversation with someone who blocked you (or whom you
blocked) answers 403 (`contact_refused` / `contact_blocked`), whether or not
it exists already. GET and PATCH send the version as an ETag; PATCH takes it
back as If-Match or a `version` field and answers 409 with `current` when it
moved on.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody

from chatd.api.conversation_bodies import (
    ConversationPatch,
    Conversations,
    ConversationView,
    DirectIn,
    GroupIn,
    MemberPatch,
    Members,
    MembersIn,
    MemberView,
    ReadIn,
)
from chatd.api import versions
from chatd.api.security import Me
from chatd.domain import Member
from chatd.services.conversations import Overview
from chatd.services.registry import Services

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match")]


def with_etag(o: Overview, status_code: int = 200) -> Response[ConversationView]:
    return Response(
        ConversationView.of(o), status_code=status_code, headers={"ETag": f'"{o.conversation.version}"'}
    )


@get("/api/v1/conversations", tags=["conversations"])
async def list_conversations(me: Me, services: NamedDependency[Services]) -> Conversations:
    """Own conversations, newest activity first, each with unread count, last message and members."""
    return Conversations(items=[ConversationView.of(o) for o in await services.conversations.list_for(me.id)])


@post("/api/v1/conversations", tags=["conversations"])
async def create_conversation(
    data: JSONBody[DirectIn | GroupIn], me: Me, services: NamedDependency[Services]
) -> Response[ConversationView]:
    """{kind: direct, user_id}: 201, or 200 with the existing one for the pair.
    {kind: group, title, member_ids, topic?}: 201; the creator is its owner."""
    convs = services.conversations
    if isinstance(data, DirectIn):
        conv, created = await convs.open_direct(me.id, data.user_id, e2ee=data.e2ee)
    else:
        conv, created = await convs.create_group(
            me.id, title=data.title, member_ids=data.member_ids, topic=data.topic, e2ee=data.e2ee
        ), True
    return with_etag(await convs.overview(me.id, conv.id), 201 if created else 200)


@get("/api/v1/conversations/{conversation_id:str}", tags=["conversations"])
async def get_conversation(
    conversation_id: FromPath[str], me: Me, services: NamedDependency[Services]
) -> Response[ConversationView]:
    """One conversation with its members (public profiles, roles, read markers)."""
    return with_etag(await services.conversations.overview(me.id, conversation_id))


@patch("/api/v1/conversations/{conversation_id:str}", tags=["conversations"])
async def patch_conversation(
    conversation_id: FromPath[str],
    data: JSONBody[ConversationPatch],
    me: Me,
    services: NamedDependency[Services],
    if_match: IfMatch = None,
) -> Response[ConversationView]:
    """Change title/topic (groups, owner/admin) or turn on e2ee (for good)."""
    convs = services.conversations
    version = versions.required(data.version, if_match)
    await convs.update(me.id, conversation_id, version=version, title=data.title, topic=data.topic, e2ee=data.e2ee)
    return with_etag(await convs.overview(me.id, conversation_id))


def _members(o: Overview, user_ids: set[str]) -> list[MemberView]:
    return [m for m in ConversationView.of(o).members if m.user_id in user_ids]


@post("/api/v1/conversations/{conversation_id:str}/members", status_code=200, tags=["conversations"])
async def add_members(
    conversation_id: FromPath[str], data: JSONBody[MembersIn], me: Me, services: NamedDependency[Services]
) -> Members:
    """Add people to a group (owner/admin); answers those actually added
    (people already in are skipped). Unknown users: 404 with their ids."""
    convs = services.conversations
    added = await convs.add_members(me.id, conversation_id, data.user_ids)
    return Members(items=_members(await convs.overview(me.id, conversation_id), {m.user_id for m in added}))


@patch("/api/v1/conversations/{conversation_id:str}/members/{user_id:str}", tags=["conversations"])
async def patch_member(
    conversation_id: FromPath[str],
    user_id: FromPath[str],
    data: JSONBody[MemberPatch],
    me: Me,
    services: NamedDependency[Services],
) -> MemberView:
    """Mute for oneself; the owner sets roles (admin/member, or owner to hand
    the group over: the old owner becomes an admin)."""
    convs = services.conversations
    await convs.set_member(me.id, conversation_id, user_id, role=data.role, muted=data.muted)
    return _members(await convs.overview(me.id, conversation_id), {user_id})[0]


@delete("/api/v1/conversations/{conversation_id:str}/members/{user_id:str}", status_code=204, tags=["conversations"])
async def remove_member(
    conversation_id: FromPath[str], user_id: FromPath[str], me: Me, services: NamedDependency[Services]
) -> None:
    """Leave (your own id) or remove someone (owner; admins remove plain
    members). An owner who leaves hands the group to the longest-standing
    admin, else member."""
    await services.conversations.remove_member(me.id, conversation_id, user_id)


@post("/api/v1/conversations/{conversation_id:str}/read", status_code=200, tags=["conversations"])
async def mark_read(
    conversation_id: FromPath[str], data: JSONBody[ReadIn], me: Me, services: NamedDependency[Services]
) -> Member:
    """Mark read up to seq: forward only, clamped to the last message.
    Answers the own membership with its last_read_seq."""
    return await services.conversations.mark_read(me.id, conversation_id, data.seq)


CONVERSATION_ROUTES = [
    list_conversations,
    create_conversation,
    get_conversation,
    patch_conversation,
    add_members,
    patch_member,
    remove_member,
    mark_read,
]
