"""The send in MongoDB: one transaction takes the conversation's next seq
(`find_one_and_update` `$inc`, which also makes concurrent sends to it
conflict, so seqs stay gap-free: an aborted send gives its seq back), reads
the sender's access, applies the port's `check_send`, inserts the message
(a unique index on sender + client_id catches a repeat), claims its
attachments, advances the sender's read marker and records message.created.

Blocks live with the contacts in the SQL database: they are read through the
contacts port inside this step but not under its transaction, so a block
committed in the same instant as a send may miss it (SQL checks both in one).
"""

from __future__ import annotations

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from chatd import clock
from chatd.domain import Conversation, Message
from chatd.ids import new_id
from chatd.storage.mongo.backend import MongoBackend, Tx
from chatd.storage.mongo.docs import conversation_of, member_id, message_doc, message_of
from chatd.storage.mongo.events import append_event
from chatd.storage.ports.contacts import ContactStore
from chatd.storage.ports.messages import (
    AttachmentsUnavailable,
    ClientIdInUse,
    Draft,
    SendAccess,
    check_send,
)


async def _access(tx: Tx, contacts: ContactStore, draft: Draft, conv: Conversation) -> SendAccess | None:
    if await tx.db.members.find_one({"_id": member_id(conv.id, draft.sender_id)}, session=tx.session) is None:
        return None
    blocked_peer, by_sender = None, False
    if conv.kind == "direct":
        other = await tx.db.members.find_one({"conversation_id": conv.id, "user_id": {"$ne": draft.sender_id}},
                                             session=tx.session)
        if other is not None:
            peer = other["user_id"]
            by_sender = bool(await contacts.blockers_among(peer, [draft.sender_id]))
            if by_sender or await contacts.blockers_among(draft.sender_id, [peer]):
                blocked_peer = peer
    reply_here = draft.reply_to is not None and await tx.db.messages.find_one(
        {"_id": draft.reply_to, "conversation_id": conv.id}, {"_id": 1}, session=tx.session) is not None
    return SendAccess(conversation=conv, blocked_peer=blocked_peer, blocked_by_sender=by_sender,
                      reply_to_here=reply_here)


async def append(backend: MongoBackend, contacts: ContactStore, draft: Draft) -> tuple[Message, bool]:
    async def run(tx: Tx) -> Message:
        at = clock.now()
        doc = await tx.db.conversations.find_one_and_update(
            {"_id": draft.conversation_id},
            {"$inc": {"last_seq": 1}, "$set": {"last_message_at": clock.to_ms(at), "updated_at": clock.to_ms(at)}},
            return_document=ReturnDocument.AFTER, session=tx.session)
        conv = None if doc is None else conversation_of(doc)
        check_send(None if conv is None else await _access(tx, contacts, draft, conv), draft)
        assert conv is not None
        message = Message(id=new_id(), conversation_id=draft.conversation_id, sender_id=draft.sender_id,
                          seq=conv.last_seq, client_id=draft.client_id, kind=draft.kind, body=draft.body,
                          envelope=draft.envelope, reply_to=draft.reply_to, attachments=draft.attachments,
                          mentions=draft.mentions, created_at=at)
        await tx.db.messages.insert_one(message_doc(message), session=tx.session)
        if draft.attachments:
            ids = list(dict.fromkeys(message.attachments))
            claimed = await tx.db.attachments.update_many(
                {"_id": {"$in": ids}, "conversation_id": message.conversation_id, "uploader_id": message.sender_id,
                 "message_id": None},
                {"$set": {"message_id": message.id}}, session=tx.session)
            if claimed.modified_count != len(ids):
                raise AttachmentsUnavailable()
        await tx.db.members.update_one(
            {"_id": member_id(message.conversation_id, message.sender_id), "last_read_seq": {"$lt": message.seq}},
            {"$set": {"last_read_seq": message.seq}}, session=tx.session)
        await append_event(tx, "message.created", message, conversation_id=message.conversation_id)
        return message

    try:
        return await backend.write(run), True
    except DuplicateKeyError:  # same sender + client_id: the write was undone, its seq given back
        first = await backend.db.messages.find_one({"sender_id": draft.sender_id, "client_id": draft.client_id})
        if first is None:
            raise
        message = message_of(first)
        if message.conversation_id != draft.conversation_id:
            raise ClientIdInUse(message) from None
        return message, False
