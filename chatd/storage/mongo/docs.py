"""Documents <-> domain objects. Times are stored as epoch milliseconds,
as in the SQL tables, so a value reads back exactly as it was written."""

from __future__ import annotations

from typing import Any

import msgspec

from chatd.clock import from_ms, to_ms
from chatd.domain import Attachment, Conversation, Envelope, Member, Message


def conversation_doc(c: Conversation, direct_key: str | None = None) -> dict[str, Any]:
    doc = {"_id": c.id, "kind": c.kind, "title": c.title, "topic": c.topic, "avatar": c.avatar,
           "created_by": c.created_by, "created_at": to_ms(c.created_at), "updated_at": to_ms(c.updated_at),
           "last_message_at": to_ms(c.last_message_at), "last_seq": c.last_seq, "e2ee": c.e2ee,
           "version": c.version}
    if direct_key is not None:  # absent on groups: the unique index is partial
        doc["direct_key"] = direct_key
    return doc


def conversation_of(d: dict[str, Any]) -> Conversation:
    return Conversation(id=d["_id"], kind=d["kind"], title=d["title"], topic=d["topic"], avatar=d["avatar"],
                        created_by=d["created_by"], created_at=from_ms(d["created_at"]),
                        updated_at=from_ms(d["updated_at"]), last_message_at=from_ms(d["last_message_at"]),
                        last_seq=d["last_seq"], e2ee=d["e2ee"], version=d["version"])


def member_id(conversation_id: str, user_id: str) -> str:
    return f"{conversation_id}\x1f{user_id}"


def member_doc(m: Member) -> dict[str, Any]:
    return {"_id": member_id(m.conversation_id, m.user_id), "conversation_id": m.conversation_id,
            "user_id": m.user_id, "role": m.role, "joined_at": to_ms(m.joined_at),
            "last_read_seq": m.last_read_seq, "muted": m.muted}


def member_of(d: dict[str, Any]) -> Member:
    return Member(conversation_id=d["conversation_id"], user_id=d["user_id"], role=d["role"],
                  joined_at=from_ms(d["joined_at"]), last_read_seq=d["last_read_seq"], muted=d["muted"])


def message_doc(m: Message) -> dict[str, Any]:
    return {"_id": m.id, "conversation_id": m.conversation_id, "sender_id": m.sender_id, "seq": m.seq,
            "client_id": m.client_id, "kind": m.kind, "body": m.body,
            "envelope": None if m.envelope is None else msgspec.to_builtins(m.envelope), "reply_to": m.reply_to,
            "attachments": m.attachments, "mentions": m.mentions,
            # A list of pairs, not a document: emojis are not safe field names.
            "reactions": [[e, us] for e, us in m.reactions.items()],
            "created_at": to_ms(m.created_at), "edited_at": to_ms(m.edited_at), "deleted_at": to_ms(m.deleted_at),
            "version": m.version}


def message_of(d: dict[str, Any]) -> Message:
    env = d["envelope"]
    return Message(id=d["_id"], conversation_id=d["conversation_id"], sender_id=d["sender_id"], seq=d["seq"],
                   client_id=d["client_id"], kind=d["kind"], body=d["body"],
                   envelope=None if env is None else msgspec.convert(env, Envelope), reply_to=d["reply_to"],
                   attachments=d["attachments"], mentions=d["mentions"],
                   reactions={e: us for e, us in d["reactions"]}, created_at=from_ms(d["created_at"]),
                   edited_at=from_ms(d["edited_at"]), deleted_at=from_ms(d["deleted_at"]), version=d["version"])


def attachment_doc(a: Attachment, storage_key: str) -> dict[str, Any]:
    doc = msgspec.to_builtins(a)
    doc["_id"] = doc.pop("id")
    doc["created_at"] = to_ms(a.created_at)
    doc["storage_key"] = storage_key
    return doc


def attachment_of(d: dict[str, Any]) -> Attachment:
    fields = {k: v for k, v in d.items() if k not in ("_id", "storage_key", "created_at")}
    return msgspec.convert({**fields, "id": d["_id"], "created_at": from_ms(d["created_at"])}, Attachment)
