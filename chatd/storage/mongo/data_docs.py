"""Canonical rows (ports/data_move.py) <-> the MongoDB adapter's documents
(docs.py): `_id` for the row's key, messages' reactions as pairs, groups
without a direct_key field (the unique index is partial)."""

from __future__ import annotations

from typing import Any

from chatd.storage.mongo.docs import member_id
from chatd.storage.ports.data_move import Row

CONVERSATION_FIELDS = ("kind", "direct_key", "title", "topic", "avatar", "created_by", "created_at", "updated_at",
                       "last_message_at", "last_seq", "e2ee", "version")
MESSAGE_FIELDS = ("conversation_id", "seq", "sender_id", "client_id", "kind", "body", "envelope", "reply_to",
                  "attachments", "mentions", "created_at", "edited_at", "deleted_at", "version")
ATTACHMENT_FIELDS = ("uploader_id", "conversation_id", "message_id", "filename", "content_type", "size", "sha256",
                     "width", "height", "duration", "thumbnail", "encrypted", "storage_key", "created_at")
MEMBER_FIELDS = ("conversation_id", "user_id", "role", "joined_at", "last_read_seq", "muted")
EVENT_FIELDS = ("type", "conversation_id", "user_id", "payload", "created_at")
DATA = ("conversations", "members", "messages", "reactions", "attachments", "events")
SEP = "\x1f"


def plain(v: Any) -> Any:
    """bson's Int64 (how 64-bit numbers come back) as a plain int, at any depth."""
    if isinstance(v, int) and type(v) is not int and not isinstance(v, bool):
        return int(v)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def _row(doc: dict[str, Any], id_name: str, fields: tuple[str, ...]) -> Row:
    return {id_name: doc["_id"], **{f: doc.get(f) for f in fields}}


def canonical(collection: str, d: dict[str, Any]) -> Row:
    """A document as the canonical row (ports/data_move.py)."""
    if collection == "conversations":
        return _row(d, "id", CONVERSATION_FIELDS)
    if collection == "members":
        return {f: d[f] for f in MEMBER_FIELDS}
    if collection == "messages":
        row = _row(d, "id", MESSAGE_FIELDS)
        row["reactions"] = {e: users for e, users in d["reactions"]}
        return {k: row[k] for k in ("id", *MESSAGE_FIELDS[:10], "reactions", *MESSAGE_FIELDS[10:])}
    if collection == "attachments":
        return _row(d, "id", ATTACHMENT_FIELDS)
    return _row(d, "seq", EVENT_FIELDS)


def document(collection: str, r: Row) -> dict[str, Any]:
    """A canonical row as the document the adapter reads (docs.py)."""
    if collection == "conversations":
        doc = {"_id": r["id"], **{f: r[f] for f in CONVERSATION_FIELDS}}
        if doc["direct_key"] is None:
            del doc["direct_key"]  # groups have none: the unique index is partial
        return doc
    if collection == "members":
        return {"_id": member_id(r["conversation_id"], r["user_id"]), **{f: r[f] for f in MEMBER_FIELDS}}
    if collection == "messages":
        return {"_id": r["id"], **{f: r[f] for f in MESSAGE_FIELDS},
                "reactions": [[e, users] for e, users in r["reactions"].items()]}
    if collection == "reactions":
        return {"_id": SEP.join((r["message_id"], r["emoji"], r["user_id"])), "created_at": r["created_at"]}
    if collection == "attachments":
        return {"_id": r["id"], **{f: r[f] for f in ATTACHMENT_FIELDS}}
    return {"_id": r["seq"], **{f: r[f] for f in EVENT_FIELDS}}
