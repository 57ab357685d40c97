"""A history page's JSON straight from the database, without Message objects.

The answer of `GET /conversations/{id}/messages`, byte for byte what
encoding a HistoryPage of `message_of(row)`s gives (the contract test
test_history_json_is_the_pages_json_byte_for_byte compares the two on every
adapter), at half the cost of building 50 Messages and encoding them: each
message becomes a positional struct with Message's fields in Message's order
instead of a Message built with keyword arguments, and an empty list or map
column ("[]", "{}", nearly every row) goes out as those bytes; anything else
is decoded and encoded as before (an envelope gets the defaults it gets on
decoding).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from chatd.clock import from_ms
from chatd.domain import Envelope, Message
from chatd.storage.sql.db import Row

# Message's fields, in Message's order (the JSON's order): seq after sender_id.
PAGE_COLUMNS = (
    "id, conversation_id, sender_id, seq, client_id, kind, body, envelope, reply_to,"
    " attachments, mentions, reactions, created_at, edited_at, deleted_at, version"
)


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


class _PageJson(msgspec.Struct):
    items: list[_MessageJson]
    has_more: bool


# A field added to Message must be added here too, or this module refuses to load.
if _MessageJson.__struct_fields__ != Message.__struct_fields__ or PAGE_COLUMNS.replace(" ", "").split(",") != list(
    Message.__struct_fields__
):
    raise RuntimeError("chatd.storage.sql.message_json is out of step with Message")

_envelope = msgspec.json.Decoder(Envelope)
_strings = msgspec.json.Decoder(list[str])
_reactions = msgspec.json.Decoder(dict[str, list[str]])
_EMPTY_LIST = msgspec.Raw(b"[]")
_EMPTY_MAP = msgspec.Raw(b"{}")
_encode = msgspec.json.Encoder().encode


def _message(row: Row) -> _MessageJson:
    """A row of PAGE_COLUMNS."""
    (id_, conversation_id, sender_id, seq, client_id, kind, body, envelope, reply_to,
     attachments, mentions, reactions, created_at, edited_at, deleted_at, version) = row
    return _MessageJson(
        id_, conversation_id, sender_id, seq, client_id, kind, body,
        None if envelope is None else _envelope.decode(envelope),
        reply_to,
        _EMPTY_LIST if attachments == "[]" else _strings.decode(attachments),
        _EMPTY_LIST if mentions == "[]" else _strings.decode(mentions),
        _EMPTY_MAP if reactions == "{}" else _reactions.decode(reactions),
        from_ms(created_at),
        None if edited_at is None else from_ms(edited_at),
        None if deleted_at is None else from_ms(deleted_at),
        version,
    )


def page_json(rows: Sequence[Row], has_more: bool) -> bytes:
    """Rows of PAGE_COLUMNS, in the page's order (seq ascending)."""
    return _encode(_PageJson([_message(r) for r in rows], has_more))
