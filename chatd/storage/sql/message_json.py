"""A history page's JSON straight from the database, without Message objects
(each message's kept for the next page: message_page.py).

The answer of `GET /conversations/{id}/messages`, byte for byte what
encoding a HistoryPage of `message_of(row)`s gives (the contract test
test_history_json_is_the_pages_json_byte_for_byte compares the two on every
adapter), at half the cost of building 50 Messages and encoding them: each
message becomes a positional struct with Message's fields in Message's order
instead of a Message built with keyword arguments, and an empty list or map
column ("[]", "{}", nearly every row) goes out as those bytes; anything else
is decoded and encoded as before (an envelope gets the defaults it gets on
decoding).

On SQLite a row comes as 9 columns instead of 16: Python 3.11's sqlite3
releases and retakes the GIL (and SQLite its connection mutex) around every
column it reads, about half of a page's fetch. The conversation id is the
one asked for, and the seven columns that nearly always hold their defaults
(no envelope, reply, attachments, mentions, reactions, edit or deletion)
come as one: NULL when all seven do, else a JSON array of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from chatd.clock import from_ms
from chatd.domain import Envelope, Message
from chatd.storage.sql.db import Dialect, Row

# Message's fields, in Message's order (the JSON's order): seq after sender_id.
PAGE_COLUMNS = (
    "id, conversation_id, sender_id, seq, client_id, kind, body, envelope, reply_to,"
    " attachments, mentions, reactions, created_at, edited_at, deleted_at, version"
)
# SQLite's (see above); json_array keeps each TEXT a JSON string, NUL included.
_USUAL = ("envelope IS NULL AND reply_to IS NULL AND attachments = '[]' AND mentions = '[]' AND reactions = '{}'"
          " AND edited_at IS NULL AND deleted_at IS NULL")
SQLITE_PAGE_COLUMNS = (
    f"id, sender_id, seq, client_id, kind, body, created_at, version, CASE WHEN {_USUAL} THEN NULL"
    " ELSE json_array(envelope, reply_to, attachments, mentions, reactions, edited_at, deleted_at) END"
)


def page_columns(dialect: Dialect) -> str:
    return SQLITE_PAGE_COLUMNS if dialect == "sqlite" else PAGE_COLUMNS


class _MessageJson(msgspec.Struct):
    """Message's fields, in Message's order, any value: only ever encoded."""

    id: Any
    conversation_id: Any
    sender_id: Any
    seq: Any
    client_id: Any
    kind: Any
    body: Any
    envelope: Any
    reply_to: Any
    attachments: Any
    mentions: Any
    reactions: Any
    created_at: Any
    edited_at: Any
    deleted_at: Any
    version: Any


# A field added to Message must be added here too, or this module refuses to load.
if _MessageJson.__struct_fields__ != Message.__struct_fields__ or PAGE_COLUMNS.replace(" ", "").split(",") != list(
    Message.__struct_fields__
):
    raise RuntimeError("chatd.storage.sql.message_json is out of step with Message")

_envelope = msgspec.json.Decoder(Envelope)
_strings = msgspec.json.Decoder(list[str])
_reactions = msgspec.json.Decoder(dict[str, list[str]])
_unusual = msgspec.json.Decoder(tuple[str | None, str | None, str, str, str, int | None, int | None])
_EMPTY_LIST = msgspec.Raw(b"[]")
_EMPTY_MAP = msgspec.Raw(b"{}")
_encode = msgspec.json.Encoder().encode


def _message(row: Row) -> _MessageJson:
    """A row of PAGE_COLUMNS."""
    (id_, conversation_id, sender_id, seq, client_id, kind, body, envelope, reply_to,
     attachments, mentions, reactions, created_at, edited_at, deleted_at, version) = row
    return _with_unusual(_MessageJson(id_, conversation_id, sender_id, seq, client_id, kind, body, None, None,
                                      _EMPTY_LIST, _EMPTY_LIST, _EMPTY_MAP, from_ms(created_at), None, None, version),
                         envelope, reply_to, attachments, mentions, reactions, edited_at, deleted_at)


def _sqlite_message(conversation_id: str, row: Row) -> _MessageJson:
    """A row of SQLITE_PAGE_COLUMNS."""
    id_, sender_id, seq, client_id, kind, body, created_at, version, unusual = row
    message = _MessageJson(id_, conversation_id, sender_id, seq, client_id, kind, body, None, None,
                           _EMPTY_LIST, _EMPTY_LIST, _EMPTY_MAP, from_ms(created_at), None, None, version)
    return message if unusual is None else _with_unusual(message, *_unusual.decode(unusual))


def _with_unusual(message: _MessageJson, envelope: str | None, reply_to: str | None, attachments: str,
                  mentions: str, reactions: str, edited_at: int | None, deleted_at: int | None) -> _MessageJson:
    """The seven columns that nearly always hold their defaults, where they do not."""
    if envelope is not None:
        message.envelope = _envelope.decode(envelope)
    message.reply_to = reply_to
    if attachments != "[]":
        message.attachments = _strings.decode(attachments)
    if mentions != "[]":
        message.mentions = _strings.decode(mentions)
    if reactions != "{}":
        message.reactions = _reactions.decode(reactions)
    if edited_at is not None:
        message.edited_at = from_ms(edited_at)
    if deleted_at is not None:
        message.deleted_at = from_ms(deleted_at)
    return message


def _seq_version(columns: str) -> tuple[int, int]:
    names = columns.replace(" ", "").split(",")
    return names.index("seq"), names.index("version")


# Where seq and version sit in a row of page_columns(dialect).
SEQ_VERSION = {"sqlite": _seq_version(SQLITE_PAGE_COLUMNS), "postgres": _seq_version(PAGE_COLUMNS)}


def messages_json(dialect: Dialect, conversation_id: str, rows: Sequence[Row]) -> list[bytes]:
    """Rows of `page_columns(dialect)`: each message as a page's items hold it."""
    if dialect == "sqlite":
        return [_encode(_sqlite_message(conversation_id, r)) for r in rows]
    return [_encode(_message(r)) for r in rows]


def page_of(items: Sequence[bytes], has_more: bool) -> bytes:
    """A page of messages already encoded: the bytes msgspec gives for a
    HistoryPage of them (it writes no spaces)."""
    return b'{"items":[' + b",".join(items) + (b'],"has_more":true}' if has_more else b'],"has_more":false}')
