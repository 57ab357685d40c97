"""Message <-> row mapping, in one place.

Lists and maps (attachments, mentions, reactions) and the E2EE envelope are
JSON in TEXT columns; times are epoch milliseconds.
"""

from __future__ import annotations

from typing import Any

import msgspec

from chatd.clock import from_ms, to_ms
from chatd.domain import Envelope, Message
from chatd.storage.sql.db import Conn, Row

MESSAGE_COLUMNS = (
    "id, conversation_id, seq, sender_id, client_id, kind, body, envelope, reply_to,"
    " attachments, mentions, reactions, created_at, edited_at, deleted_at, version"
)

_envelope = msgspec.json.Decoder(Envelope)
_strings = msgspec.json.Decoder(list[str])
_reactions = msgspec.json.Decoder(dict[str, list[str]])
_encode = msgspec.json.Encoder()


def dump(value: Any) -> str:
    return _encode.encode(value).decode()


def dump_envelope(envelope: Envelope | None) -> str | None:
    return None if envelope is None else dump(envelope)


def message_of(row: Row) -> Message:
    """A row of MESSAGE_COLUMNS, in that order. Unpacked by position: a
    lookup by name scans the column names (sqlite3.Row), 16 times a row."""
    (id_, conversation_id, seq, sender_id, client_id, kind, body, envelope, reply_to,
     attachments, mentions, reactions, created_at, edited_at, deleted_at, version) = row
    return Message(
        id=id_,
        conversation_id=conversation_id,
        sender_id=sender_id,
        seq=seq,
        client_id=client_id,
        kind=kind,
        body=body,
        envelope=None if envelope is None else _envelope.decode(envelope),
        reply_to=reply_to,
        attachments=[] if attachments == "[]" else _strings.decode(attachments),
        mentions=[] if mentions == "[]" else _strings.decode(mentions),
        reactions={} if reactions == "{}" else _reactions.decode(reactions),
        created_at=from_ms(created_at),
        edited_at=None if edited_at is None else from_ms(edited_at),
        deleted_at=None if deleted_at is None else from_ms(deleted_at),
        version=version,
    )


def row_values(m: Message) -> tuple[Any, ...]:
    """Values in MESSAGE_COLUMNS order, for INSERT."""
    return (
        m.id,
        m.conversation_id,
        m.seq,
        m.sender_id,
        m.client_id,
        m.kind,
        m.body,
        dump_envelope(m.envelope),
        m.reply_to,
        dump(m.attachments),
        dump(m.mentions),
        dump(m.reactions),
        to_ms(m.created_at),
        to_ms(m.edited_at),
        to_ms(m.deleted_at),
        m.version,
    )


INSERT_MESSAGE = f"INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ({', '.join(f'${i}' for i in range(1, 17))})"


async def fetch_message(conn: Conn, message_id: str, *, lock: bool = False) -> Message | None:
    """`lock` takes the row lock on PostgreSQL (SQLite's single writer needs none)."""
    suffix = " FOR UPDATE" if lock and conn.dialect == "postgres" else ""
    row = await conn.fetchrow(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1{suffix}", message_id)
    return message_of(row) if row else None


async def fetch_by_client_id(conn: Conn, sender_id: str, client_id: str) -> Message | None:
    row = await conn.fetchrow(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_id = $1 AND client_id = $2", sender_id, client_id
    )
    return message_of(row) if row else None


def placeholders(start: int, count: int) -> str:
    """`$start, $start+1, ...`: an IN list written once for both engines."""
    return ", ".join(f"${i}" for i in range(start, start + count))
