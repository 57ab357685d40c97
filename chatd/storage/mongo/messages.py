"""Messages in MongoDB: history, edits, tombstones, reactions and reads; the
send is in message_batch.py (grouped), search in message_search.py. Every change is
one transaction that checks the message's version in its update filter and
records its event; reactions live inside the message document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from pymongo import ReturnDocument

from chatd import clock
from chatd.domain import Envelope, Message
from chatd.storage.mongo import message_batch, message_search
from chatd.storage.mongo.backend import MongoBackend, Tx
from chatd.storage.mongo.docs import member_id, message_of
from chatd.storage.mongo.events import append_event
from chatd.storage.ports.contacts import ContactStore
from chatd.storage.sql.pg_group import GroupWriter
from chatd.storage.ports.messages import Draft, HistoryPage, StaleVersion, reacted

_NO_BOUND = 2**62


async def _no_turn(_tx: Tx) -> None:
    """Being inside the transaction is the turn (backend.transaction's lock)."""
_encode = msgspec.json.Encoder().encode


class MongoMessageStore:
    def __init__(self, backend: MongoBackend, contacts: ContactStore):
        self.backend, self.contacts = backend, contacts
        self.db = backend.db
        # Sends that arrive while a write holds the backend's lock go into the
        # next transaction together: the (no-op) turn runs once the lock is
        # taken, and the batch takes in what queued until then.
        self._sends: GroupWriter[Draft] = GroupWriter(
            backend.transaction, lambda tx, drafts: message_batch.append_batch(tx, contacts, drafts), turn=_no_turn,
            transient=message_batch.transient, about_one_write=message_batch.about_one_write,
            name="chatd-mongo-group-writer")

    async def append(self, draft: Draft) -> tuple[Message, bool]:
        with self.backend.writing():  # counted while queued: a close lets it finish
            return await self._sends.submit(draft)

    async def get(self, message_id: str) -> Message | None:
        doc = await self.db.messages.find_one({"_id": message_id})
        return None if doc is None else message_of(doc)

    async def history(self, conversation_id: str, *, before_seq: int | None = None, after_seq: int | None = None,
                      limit: int = 50) -> HistoryPage:
        if after_seq is not None:
            docs = [d async for d in self.db.messages.find(
                {"conversation_id": conversation_id, "seq": {"$gt": after_seq}}, sort=[("seq", 1)], limit=limit + 1)]
            items = [message_of(d) for d in docs[:limit]]
        else:
            below = _NO_BOUND if before_seq is None else before_seq
            docs = [d async for d in self.db.messages.find(
                {"conversation_id": conversation_id, "seq": {"$lt": below}}, sort=[("seq", -1)], limit=limit + 1)]
            items = [message_of(d) for d in reversed(docs[:limit])]
        return HistoryPage(items=items, has_more=len(docs) > limit)

    async def history_json(self, reader_id: str, conversation_id: str, *, before_seq: int | None = None,
                           after_seq: int | None = None, limit: int = 50) -> bytes | None:
        if await self.db.members.find_one({"_id": member_id(conversation_id, reader_id)}, {"_id": 1}) is None:
            return None
        return _encode(await self.history(conversation_id, before_seq=before_seq, after_seq=after_seq, limit=limit))

    async def edit(self, message_id: str, *, expected_version: int, at: datetime, body: str | None = None,
                   envelope: Envelope | None = None) -> Message:
        async def run(tx: Tx) -> Message:
            env = None if envelope is None else msgspec.to_builtins(envelope)
            new = {"body": body, "envelope": env, "edited_at": clock.to_ms(at)}
            doc = await tx.db.messages.find_one_and_update(
                {"_id": message_id, "version": expected_version, "deleted_at": None},
                {"$set": new, "$inc": {"version": 1}}, return_document=ReturnDocument.AFTER, session=tx.session)
            if doc is None:
                current = await tx.db.messages.find_one({"_id": message_id}, session=tx.session)
                raise StaleVersion(None if current is None else message_of(current))
            message = message_of(doc)
            await append_event(tx, "message.updated", message, conversation_id=message.conversation_id)
            return message

        return await self.backend.write(run)

    async def delete(self, message_id: str, *, at: datetime) -> Message | None:
        async def run(tx: Tx) -> Message | None:
            doc = await tx.db.messages.find_one_and_update(
                {"_id": message_id, "deleted_at": None},
                {"$set": {"body": None, "envelope": None, "attachments": [], "mentions": [], "reactions": [],
                          "deleted_at": clock.to_ms(at)}, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER, session=tx.session)
            if doc is None:  # already a tombstone (or no such message): nothing changes
                current = await tx.db.messages.find_one({"_id": message_id}, session=tx.session)
                return None if current is None else message_of(current)
            message = message_of(doc)
            await append_event(tx, "message.deleted", message, conversation_id=message.conversation_id)
            return message

        return await self.backend.write(run)

    async def react(self, message_id: str, *, user_id: str, emoji: str, add: bool,
                    max_distinct: int) -> Message | None:
        async def run(tx: Tx) -> Message | None:
            doc = await tx.db.messages.find_one({"_id": message_id}, session=tx.session)
            if doc is None:
                return None
            message = message_of(doc)
            reactions = reacted(message, user_id=user_id, emoji=emoji, add=add, max_distinct=max_distinct)
            if reactions is None:
                return message  # idempotent: nothing changes
            # The version in the filter: a concurrent reaction makes this one retry.
            changed = await tx.db.messages.find_one_and_update(
                {"_id": message_id, "version": message.version},
                {"$set": {"reactions": [[e, us] for e, us in reactions.items()]}, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER, session=tx.session)
            if changed is None:
                raise RuntimeError("message changed under a transaction")
            out = message_of(changed)
            await append_event(tx, "reaction.changed", out, conversation_id=out.conversation_id)
            return out

        return await self.backend.write(run)

    async def latest_in(self, conversation_ids: list[str]) -> dict[str, Message]:
        ids = list(dict.fromkeys(conversation_ids))
        if not ids:
            return {}
        heads = [(d["_id"], d["last_seq"]) async for d in self.db.conversations.find(
            {"_id": {"$in": ids}, "last_seq": {"$gt": 0}}, {"last_seq": 1})]
        if not heads:
            return {}
        wanted: list[dict[str, Any]] = [{"conversation_id": c, "seq": s} for c, s in heads]
        return {d["conversation_id"]: message_of(d) async for d in self.db.messages.find({"$or": wanted})}

    async def search(self, user_id: str, query: str, *, conversation_id: str | None = None,
                     limit: int = 20) -> list[Message]:
        return await message_search.search(self.backend, user_id, query, conversation_id=conversation_id,
                                           limit=limit)

