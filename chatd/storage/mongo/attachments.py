"""Attachment metadata in MongoDB (port: storage/ports/attachments.py). Sends
bind uploads in message_batch.py, inside the send's own transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from chatd.clock import from_ms, to_ms
from chatd.storage.mongo.backend import MongoBackend, Tx
from chatd.storage.mongo.docs import attachment_doc, attachment_of
from chatd.domain import Attachment
from chatd.storage.ports.attachments import Expired, MediaStats, StoredAttachment

# Which avatar ids the SQL side (users) shows now; conversations' are here.
UserAvatars = Callable[[Collection[str]], Any]


class MongoAttachmentStore:
    def __init__(self, backend: MongoBackend, user_avatars: UserAvatars):
        self.backend, self.user_avatars = backend, user_avatars
        self.db = backend.db

    async def add(self, attachment: Attachment, storage_key: str) -> None:
        await self.backend.write(lambda tx: tx.db.attachments.insert_one(attachment_doc(attachment, storage_key),
                                                                         session=tx.session))

    async def get(self, attachment_id: str) -> StoredAttachment | None:
        doc = await self.db.attachments.find_one({"_id": attachment_id})
        if doc is None:
            return None
        deleted_at = None
        if doc.get("message_id"):
            message = await self.db.messages.find_one({"_id": doc["message_id"]}, {"deleted_at": 1})
            deleted_at = None if message is None else from_ms(message["deleted_at"])
        return StoredAttachment(attachment=attachment_of(doc), storage_key=doc["storage_key"],
                                message_deleted_at=deleted_at)

    async def of_conversation(self, conversation_id: str, *, ids: Collection[str] | None = None,
                              before: str | None = None, limit: int = 50) -> list[Attachment]:
        where: dict[str, Any] = {"conversation_id": conversation_id, "message_id": {"$ne": None}}
        if ids is not None:
            wanted = list(dict.fromkeys(ids))[:500]
            if not wanted:
                return []
            where["_id"] = {"$in": wanted}
            cap = len(wanted)
        else:
            where["_id"] = {"$lt": before or "~"}
            cap = limit
        out: list[Attachment] = []
        async for doc in self.db.attachments.find(where, sort=[("_id", -1)]):
            live = await self.db.messages.find_one({"_id": doc["message_id"], "deleted_at": None}, {"_id": 1})
            if live is not None:
                out.append(attachment_of(doc))
                if len(out) == cap:
                    break
        return out

    async def usage(self, uploader_id: str) -> int:
        return sum([d["size"] async for d in self.db.attachments.find({"uploader_id": uploader_id}, {"size": 1})])

    async def take_expired(self, *, unbound_before: datetime, deleted_before: datetime,
                           created_before: datetime | None, limit: int) -> list[Expired]:
        async def run(tx: Tx) -> list[Expired]:
            gone_messages = [d["_id"] async for d in tx.db.messages.find(
                {"deleted_at": {"$ne": None, "$lt": to_ms(deleted_before)}}, {"_id": 1}, session=tx.session)]
            expired: list[dict[str, Any]] = [
                {"message_id": None, "created_at": {"$lt": to_ms(unbound_before)}},
                {"message_id": {"$in": gone_messages}},
            ]
            if created_before is not None:
                expired.append({"created_at": {"$lt": to_ms(created_before)}})
            # Read and delete in one transaction: a send that binds one of
            # these at the same moment conflicts with it, and one is retried.
            docs = [d async for d in tx.db.attachments.find({"$or": expired}, limit=limit, session=tx.session)]
            if docs:
                await tx.db.attachments.delete_many({"_id": {"$in": [d["_id"] for d in docs]}}, session=tx.session)
            return [Expired(id=d["_id"], storage_key=d["storage_key"], size=d["size"], thumbnail=d["thumbnail"])
                    for d in docs]

        return await self.backend.write(run)

    async def known(self, ids: Collection[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        return {d["_id"] async for d in self.db.attachments.find({"_id": {"$in": wanted}}, {"_id": 1})}

    async def avatars_in_use(self, ids: Collection[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        here = {d["avatar"] async for d in self.db.conversations.find({"avatar": {"$in": wanted}}, {"avatar": 1})}
        return here | await self.user_avatars(wanted)

    async def stats(self) -> MediaStats:
        out = MediaStats()
        async for d in self.db.attachments.find({}, {"content_type": 1, "size": 1, "message_id": 1}):
            out.count += 1
            out.bytes += d["size"]
            out.by_type[d["content_type"]] = out.by_type.get(d["content_type"], 0) + d["size"]
            if d.get("message_id") is None:
                out.unbound_count += 1
                out.unbound_bytes += d["size"]
        return out
