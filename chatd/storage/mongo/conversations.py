"""Conversations and members in MongoDB: the same steps as the SQL adapter
(conversation_writes.py), each one transaction with its events. Members are
documents of their own, keyed by conversation and user."""

from __future__ import annotations

from collections.abc import Collection
import msgspec
from pymongo.errors import DuplicateKeyError

from chatd.clock import to_ms
from chatd.domain import Conversation, Member
from chatd.storage.mongo.backend import MongoBackend, Tx
from chatd.storage.mongo.conversation_drop import MongoConversationDrop
from chatd.storage.mongo.docs import conversation_doc, conversation_of, member_doc, member_id, member_of
from chatd.storage.mongo.events import append_event
from chatd.storage.ports.conversations import DecideMembers, DecideUpdate, MemberPlan, direct_key, effective

MEMBER_ORDER = [("joined_at", 1), ("user_id", 1)]


async def _members(tx: Tx, conversation_id: str) -> list[Member]:
    cursor = tx.db.members.find({"conversation_id": conversation_id}, sort=MEMBER_ORDER, session=tx.session)
    return [member_of(d) async for d in cursor]


async def _locked(tx: Tx, conversation_id: str) -> Conversation | None:
    """The conversation, written to (a counter only locks use) so a concurrent change of
    it conflicts with this transaction: the lock SQL takes with FOR UPDATE."""
    doc = await tx.db.conversations.find_one_and_update(
        {"_id": conversation_id}, {"$inc": {"touched": 1}}, session=tx.session)
    return None if doc is None else conversation_of(doc)


async def _add_members(tx: Tx, members: list[Member]) -> None:
    for m in members:
        await tx.db.members.insert_one(member_doc(m), session=tx.session)
        await append_event(tx, "member.joined", m, conversation_id=m.conversation_id)


class MongoConversationStore(MongoConversationDrop):
    def __init__(self, backend: MongoBackend):
        self.backend = backend
        self.db = backend.db

    async def get(self, conversation_id: str) -> Conversation | None:
        doc = await self.db.conversations.find_one({"_id": conversation_id})
        return None if doc is None else conversation_of(doc)

    async def member(self, conversation_id: str, user_id: str) -> Member | None:
        doc = await self.db.members.find_one({"_id": member_id(conversation_id, user_id)})
        return None if doc is None else member_of(doc)

    async def members(self, conversation_id: str) -> list[Member]:
        return [member_of(d) async for d in self.db.members.find({"conversation_id": conversation_id},
                                                                  sort=MEMBER_ORDER)]

    async def members_of(self, conversation_ids: Collection[str]) -> dict[str, list[Member]]:
        ids = list(dict.fromkeys(conversation_ids))
        out: dict[str, list[Member]] = {i: [] for i in ids}
        if ids:
            async for d in self.db.members.find({"conversation_id": {"$in": ids}}, sort=MEMBER_ORDER):
                out[d["conversation_id"]].append(member_of(d))
        return out

    async def member_counts(self, conversation_ids: Collection[str]) -> dict[str, int]:
        # One count per conversation (an index scan each): a user is in few,
        # and not every MongoDB-wire server runs $group.
        return {i: await self.db.members.count_documents({"conversation_id": i})
                for i in dict.fromkeys(conversation_ids)}

    async def list_for(self, user_id: str) -> list[tuple[Conversation, Member]]:
        mine = {d["conversation_id"]: member_of(d) async for d in self.db.members.find({"user_id": user_id})}
        convs = [conversation_of(d) async for d in self.db.conversations.find({"_id": {"$in": list(mine)}})]
        convs.sort(key=lambda c: (c.last_message_at or c.created_at, c.id), reverse=True)
        return [(c, mine[c.id]) for c in convs]

    async def create_direct(self, conversation: Conversation, members: list[Member]) -> tuple[Conversation, bool]:
        key = direct_key(members)

        async def run(tx: Tx) -> tuple[Conversation, bool]:
            await tx.db.conversations.insert_one(conversation_doc(conversation, key), session=tx.session)
            await append_event(tx, "conversation.created", conversation, conversation_id=conversation.id)
            await _add_members(tx, members)
            return conversation, True

        try:
            return await self.backend.write(run)
        except DuplicateKeyError:  # the pair has one already (unique index on direct_key)
            doc = await self.db.conversations.find_one({"direct_key": key})
            if doc is None:
                raise LookupError(f"direct conversation {key} vanished") from None
            return conversation_of(doc), False

    async def create_group(self, conversation: Conversation, members: list[Member]) -> Conversation:
        async def run(tx: Tx) -> Conversation:
            await tx.db.conversations.insert_one(conversation_doc(conversation), session=tx.session)
            await append_event(tx, "conversation.created", conversation, conversation_id=conversation.id)
            await _add_members(tx, members)
            return conversation

        return await self.backend.write(run)

    async def update(self, conversation_id: str, decide: DecideUpdate) -> Conversation:
        async def run(tx: Tx) -> Conversation:
            conv = await _locked(tx, conversation_id)
            wanted = decide(conv, await _members(tx, conversation_id) if conv else [])
            if conv is None:
                raise LookupError("decide must refuse a missing conversation")
            new = msgspec.structs.replace(conv, title=wanted.title, topic=wanted.topic, avatar=wanted.avatar,
                                          e2ee=wanted.e2ee, updated_at=wanted.updated_at, version=wanted.version)
            if new == conv:
                return conv
            await tx.db.conversations.update_one({"_id": conversation_id}, {"$set": {
                "title": new.title, "topic": new.topic, "avatar": new.avatar, "e2ee": new.e2ee,
                "updated_at": to_ms(new.updated_at), "version": new.version}}, session=tx.session)
            await append_event(tx, "conversation.updated", new, conversation_id=conversation_id)
            return new

        return await self.backend.write(run)

    async def change_members(self, conversation_id: str, decide: DecideMembers) -> MemberPlan:
        return await self.backend.write(lambda tx: _change_members(tx, conversation_id, decide))

    async def advance_read(self, conversation_id: str, user_id: str, seq: int) -> tuple[Member, bool] | None:
        async def run(tx: Tx) -> tuple[Member, bool] | None:
            conv = await tx.db.conversations.find_one({"_id": conversation_id}, {"last_seq": 1}, session=tx.session)
            if conv is None:
                return None
            target = min(seq, conv["last_seq"])
            doc = await tx.db.members.find_one_and_update(
                {"_id": member_id(conversation_id, user_id), "last_read_seq": {"$lt": target}},
                {"$set": {"last_read_seq": target}}, session=tx.session)
            member = await tx.db.members.find_one({"_id": member_id(conversation_id, user_id)}, session=tx.session)
            if member is None:
                return None
            if doc is not None:
                payload = {"conversation_id": conversation_id, "user_id": user_id, "last_read_seq": target}
                await append_event(tx, "read.updated", payload, conversation_id=conversation_id)
            return member_of(member), doc is not None

        return await self.backend.write(run)


async def _change_members(tx: Tx, conversation_id: str, decide: DecideMembers) -> MemberPlan:
    conv = await _locked(tx, conversation_id)
    members = await _members(tx, conversation_id) if conv else []
    plan = decide(conv, members)
    if conv is None:
        raise LookupError("decide must refuse a missing conversation")
    changes = effective(conversation_id, members, plan)
    await _add_members(tx, changes.add)
    for old in changes.remove:
        await tx.db.members.delete_one({"_id": member_id(conversation_id, old.user_id)}, session=tx.session)
        # As in SQL: the rest learn it conversation-wide, the one who left gets a copy.
        await append_event(tx, "member.left", old, conversation_id=conversation_id)
        await append_event(tx, "member.left", old, conversation_id=conversation_id, user_id=old.user_id)
    for new in changes.update:
        await tx.db.members.update_one({"_id": member_id(conversation_id, new.user_id)},
                                       {"$set": {"role": new.role, "muted": new.muted}}, session=tx.session)
        await append_event(tx, "member.updated", new, conversation_id=conversation_id)
    return changes.as_plan()
