"""Mutations: the REST writes, through the same body types (validation) and
the same service calls (rules, versions, idempotency, events)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from chatd.api.conversation_bodies import ConversationPatch, ContactPatch, GroupIn, MemberPatch, MembersIn
from chatd.gql.context import Context, body
from chatd.gql.types import Contact, Conversation, Member, Message
from chatd.services.message_input import EditMessage, SendMessage

Info = strawberry.Info[Context, Any]


@strawberry.input
class SendInput:
    client_id: str
    body: str | None = None
    kind: str | None = None
    envelope: JSON | None = None
    reply_to: str | None = None
    attachments: list[str] | None = None
    mentions: list[str] | None = None


@strawberry.type
class Sent:
    message: Message
    created: bool  # false: a retry with a client_id already used here (the first message)


async def _overview(info: Info, conversation_id: str) -> Conversation:
    return Conversation.of(await info.context.services.conversations.overview(info.context.me.id, conversation_id))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Send; the same clientId again returns the first message (created: false).")
    async def send(self, info: Info, conversation_id: str, input: SendInput) -> Sent:
        data = body(SendMessage, strawberry.asdict(input))
        message, created = await info.context.services.messages.send(info.context.me.id, conversation_id, data)
        return Sent(message=Message.of(message), created=created)

    @strawberry.mutation(description="New body (or envelope) based on `version`; a stale one is a `conflict` error "
                                     "whose extensions.current is the message as it is.")
    async def edit(self, info: Info, message_id: str, version: int, body_text: str | None = None,
                   envelope: JSON | None = None) -> Message:
        data = body(EditMessage, {"body": body_text, "envelope": envelope, "version": version})
        return Message.of(await info.context.services.messages.edit(info.context.me.id, message_id, data))

    @strawberry.mutation
    async def delete(self, info: Info, message_id: str) -> bool:
        await info.context.services.messages.delete(info.context.me.id, message_id)
        return True

    @strawberry.mutation(description="Add (add: true) or take back my reaction.")
    async def react(self, info: Info, message_id: str, emoji: str, add: bool = True) -> Message:
        return Message.of(await info.context.services.messages.react(info.context.me.id, message_id, emoji, add=add))

    @strawberry.mutation(description="Move my read marker forward to `seq`.")
    async def read(self, info: Info, conversation_id: str, seq: int) -> int:
        member = await info.context.services.conversations.mark_read(info.context.me.id, conversation_id, seq)
        return member.last_read_seq

    @strawberry.mutation(description="The direct conversation with a user (opened if need be).")
    async def open_direct(self, info: Info, user_id: str, e2ee: bool | None = None) -> Conversation:
        conv, _ = await info.context.services.conversations.open_direct(info.context.me.id, user_id, e2ee=e2ee)
        return await _overview(info, conv.id)

    @strawberry.mutation
    async def create_group(self, info: Info, title: str, member_ids: list[str] | None = None, topic: str = "",
                           e2ee: bool = False) -> Conversation:
        data = body(GroupIn, {"kind": "group", "title": title, "member_ids": member_ids, "topic": topic, "e2ee": e2ee})
        conv = await info.context.services.conversations.create_group(
            info.context.me.id, title=data.title, member_ids=data.member_ids, topic=data.topic, e2ee=data.e2ee)
        return await _overview(info, conv.id)

    @strawberry.mutation(description="Title/topic (owner/admin) or e2ee on, based on `version`.")
    async def update_conversation(self, info: Info, conversation_id: str, version: int, title: str | None = None,
                                  topic: str | None = None, e2ee: bool | None = None) -> Conversation:
        data = body(ConversationPatch, {"title": title, "topic": topic, "e2ee": e2ee, "version": version})
        await info.context.services.conversations.update(
            info.context.me.id, conversation_id, version=version, title=data.title, topic=data.topic, e2ee=data.e2ee)
        return await _overview(info, conversation_id)

    @strawberry.mutation
    async def add_members(self, info: Info, conversation_id: str, user_ids: list[str]) -> Conversation:
        data = body(MembersIn, {"user_ids": user_ids})
        await info.context.services.conversations.add_members(info.context.me.id, conversation_id, data.user_ids)
        return await _overview(info, conversation_id)

    @strawberry.mutation(description="Leave (my own id) or remove someone (owner/admin).")
    async def remove_member(self, info: Info, conversation_id: str, user_id: str) -> bool:
        await info.context.services.conversations.remove_member(info.context.me.id, conversation_id, user_id)
        return True

    @strawberry.mutation(description="Mute for myself; the owner sets roles.")
    async def set_member(self, info: Info, conversation_id: str, user_id: str, role: str | None = None,
                         muted: bool | None = None) -> Member:
        data = body(MemberPatch, {"role": role, "muted": muted})
        me = info.context.me.id
        await info.context.services.conversations.set_member(me, conversation_id, user_id, role=data.role,
                                                             muted=data.muted)
        found = [m for m in (await _overview(info, conversation_id)).members if m.user_id == user_id]
        return found[0]

    @strawberry.mutation
    async def request_contact(self, info: Info, user_id: str) -> Contact:
        contact, user, _ = await info.context.services.contacts.request(info.context.me.id, user_id)
        return Contact.of(contact, user)

    @strawberry.mutation
    async def accept_contact(self, info: Info, user_id: str) -> Contact:
        return Contact.of(*await info.context.services.contacts.accept(info.context.me.id, user_id))

    @strawberry.mutation
    async def block_contact(self, info: Info, user_id: str) -> Contact:
        return Contact.of(*await info.context.services.contacts.block(info.context.me.id, user_id))

    @strawberry.mutation
    async def edit_contact(self, info: Info, user_id: str, alias: str | None = None, note: str | None = None) -> Contact:
        data = body(ContactPatch, {"alias": alias, "note": note})
        return Contact.of(*await info.context.services.contacts.edit(info.context.me.id, user_id, alias=data.alias,
                                                                     note=data.note))

    @strawberry.mutation
    async def remove_contact(self, info: Info, user_id: str) -> bool:
        await info.context.services.contacts.remove(info.context.me.id, user_id)
        return True
