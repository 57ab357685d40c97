"""Which SQL tables hold which canonical collections (ports/data_move.py),
their columns, keys, and the columns that need converting: booleans (SQLite
keeps 0/1) and JSON kept as TEXT (decoded in canonical rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

_encode = msgspec.json.Encoder()


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    bools: tuple[str, ...] = ()
    json: tuple[str, ...] = ()

    def canonical(self, row: Any) -> dict[str, Any]:
        out = dict(zip(self.columns, row))
        for c in self.bools:
            out[c] = bool(out[c])
        for c in self.json:
            if out[c] is not None:
                out[c] = msgspec.json.decode(out[c])
        return out

    def values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(_encode.encode(row[c]).decode() if c in self.json and row[c] is not None else row[c]
                     for c in self.columns)


def _cols(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(","))


TABLES = {t.name: t for t in [
    Table("users", _cols("id, username, display_name, avatar, bio, status_text, role, disabled, password_hash,"
                         " preferences, created_at, updated_at, last_seen_at, version, deleted_at, groups_left_at"),
          ("id",),
          bools=("disabled",)),
    Table("device_keys", _cols("user_id, device_id, x25519, ed25519, sig, created_at"), ("user_id", "device_id")),
    Table("key_backups", _cols("user_id, body, updated_at"), ("user_id",)),
    Table("totp_factors", _cols("user_id, secret, created_at, confirmed_at, last_step"), ("user_id",)),
    Table("recovery_codes", _cols("user_id, code_hash, used_at"), ("user_id", "code_hash")),
    Table("webauthn_credentials", _cols("id, user_id, credential_id, public_key, sign_count, transports, name,"
                                        " created_at, last_used_at, last_challenge"), ("id",), json=("transports",)),
    Table("security_events", _cols("id, user_id, kind, at, device, address, detail, by_whom"), ("id",)),
    Table("sign_in_places", _cols("user_id, place, last_seen"), ("user_id", "place")),
    Table("sessions", _cols("id, token_hash, user_id, kind, name, created_at, last_used_at, expires_at, verified_at"),
          ("id",)),
    Table("invites", _cols("id, code_hash, created_by, max_uses, uses, expires_at, created_at"), ("id",)),
    Table("contacts", _cols("owner_id, user_id, status, alias, note, created_at, updated_at"), ("owner_id", "user_id")),
    Table("feature_flags", _cols("name, state, updated_by, updated_at"), ("name",)),
    Table("server_settings", _cols("name, value, updated_by, updated_at"), ("name",)),
    Table("conversations", _cols("id, kind, direct_key, title, topic, avatar, created_by, created_at, updated_at,"
                                 " last_message_at, last_seq, e2ee, version"), ("id",), bools=("e2ee",)),
    Table("members", _cols("conversation_id, user_id, role, joined_at, last_read_seq, muted"),
          ("conversation_id", "user_id"), bools=("muted",)),
    Table("messages", _cols("id, conversation_id, seq, sender_id, client_id, kind, body, envelope, reply_to,"
                            " attachments, mentions, reactions, created_at, edited_at, deleted_at, version"),
          ("id",), json=("envelope", "attachments", "mentions", "reactions")),
    Table("reactions", _cols("message_id, emoji, user_id, created_at"), ("message_id", "emoji", "user_id")),
    Table("attachments", _cols("id, uploader_id, conversation_id, message_id, filename, content_type, size, sha256,"
                               " width, height, duration, thumbnail, encrypted, storage_key, created_at"),
          ("id",), bools=("thumbnail", "encrypted")),
    Table("events", _cols("seq, type, conversation_id, user_id, payload, created_at"), ("seq",)),
]}

# Columns the engines add that are not data: SQLite's rowid alias for the
# search index, PostgreSQL's generated search vector.
DERIVED_COLUMNS = {("messages", "row_id"), ("messages", "search")}
# Tables that are not data (schema records, search index, this copy's marker).
NOT_DATA = {"migration", "messages_fts", "messages_fts_indexed", "sqlite_sequence", "chatd_data_move"}


def ran_on(value: Any) -> str:
    """piccolo's migration time: text on SQLite, a timestamp on PostgreSQL."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.isoformat(sep=" ", timespec="microseconds")
