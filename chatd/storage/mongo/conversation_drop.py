"""Conversations in MongoDB: removing a group nobody is in (port:
drop_if_empty), one transaction like the SQL adapter's conversation_drop.py.

`MongoConversationStore` inherits this; split out to keep files short.
"""

from __future__ import annotations

import re

from chatd.storage.mongo.backend import MongoBackend, Tx
from chatd.storage.mongo.data_docs import SEP


class MongoConversationDrop:
    backend: MongoBackend

    async def drop_if_empty(self, conversation_id: str) -> bool:
        async def run(tx: Tx) -> bool:
            # Written to, as change_members does, so a concurrent add conflicts with this.
            conv = await tx.db.conversations.find_one_and_update(
                {"_id": conversation_id}, {"$inc": {"touched": 1}}, session=tx.session)
            if conv is None or conv["kind"] != "group":
                return False
            if await tx.db.members.find_one({"conversation_id": conversation_id}, session=tx.session):
                return False
            # Reaction times (copied from SQL) are keyed message_id SEP emoji SEP user.
            reacted = [d["_id"] async for d in tx.db.messages.find(
                {"conversation_id": conversation_id, "reactions.0": {"$exists": True}}, {"_id": 1}, session=tx.session)]
            for message_id in reacted:
                await tx.db.reactions.delete_many({"_id": {"$regex": "^" + re.escape(message_id + SEP)}},
                                                  session=tx.session)
            await tx.db.attachments.delete_many({"conversation_id": conversation_id}, session=tx.session)
            await tx.db.messages.delete_many({"conversation_id": conversation_id}, session=tx.session)
            await tx.db.conversations.delete_one({"_id": conversation_id}, session=tx.session)
            return True

        return await self.backend.write(run)
