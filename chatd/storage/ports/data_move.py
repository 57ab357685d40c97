"""Port: a whole store's data as plain rows, for `chatd migrate-data`.

Every technology dumps and loads the same canonical rows (dicts of str,
int, float, bool, None, lists and maps): column names as in the SQL schema,
times as epoch milliseconds, JSON columns decoded. So the copy service and
its checksums never see SQL or documents, and a row read from SQLite, from
PostgreSQL or from MongoDB compares equal when it holds the same data.

Rows come in key order (strings by code point, as bytes compare), so a
copy that was interrupted resumes after the target's last key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

Row = dict[str, Any]
Key = tuple[Any, ...]

# Kept with the accounts in SQL, in load order (referenced rows first).
ACCOUNT_COLLECTIONS = ("migrations", "users", "device_keys", "key_backups", "totp_factors", "recovery_codes",
                       "webauthn_credentials", "security_events", "sign_in_places", "sessions", "invites", "contacts",
                       "feature_flags", "server_settings")
# The conversation side (storage.messages): SQL or MongoDB. `event_head` is
# one row {"seq": N}: the last seq ever handed out, so none is reused.
CONVERSATION_COLLECTIONS = ("conversations", "members", "messages", "reactions", "attachments", "events",
                            "event_head")
# Collections a target may already hold rows of, rewritten whole on every
# run (the schema's own records, written when the target was migrated).
REWRITTEN = ("migrations", "event_head")


class NotEmpty(Exception):
    """The target holds chatd data of its own."""


class DataSide(Protocol):
    """One store's share of the collections, as source or as target."""

    # For messages to the admin: "SQLite ./data/chatd.db", "MongoDB 127.0.0.1:27017/chatd".
    description: str
    collections: tuple[str, ...]

    def key(self, collection: str, row: Row) -> Key: ...

    async def count(self, collection: str) -> int: ...

    def rows(self, collection: str, after: Key | None = None, batch: int = 1000) -> AsyncIterator[list[Row]]:
        """Every row with a key above `after` (None: all), in key order, in batches."""
        ...

    async def last_key(self, collection: str) -> Key | None:
        """The highest key held (target side: where a resumed copy goes on)."""
        ...

    async def holds_data(self) -> bool:
        """True when any chatd row is here (schema records aside)."""
        ...

    async def load(self, collection: str, rows: list[Row]) -> None:
        """Write the rows (keys above every held one) in one atomic step."""
        ...

    async def close(self) -> None: ...


class TargetSide(DataSide, Protocol):
    async def prepare(self) -> None:
        """Create the schema (run migrations): an empty store becomes a chatd store."""
        ...

    async def wipe(self) -> None:
        """Delete every chatd row here (--overwrite-target)."""
        ...


class ConversationSide(TargetSide, Protocol):
    async def relayed_upto(self) -> int | None:
        """MongoDB: how far the account events waiting in SQL have moved into
        its log (storage/mongo/relay.py); None where there is no relay."""
        ...


class AccountSide(ConversationSide, Protocol):
    """The SQL side; while a copy is unfinished it keeps a marker naming the source."""

    async def outbox_after(self, seq: int) -> int:
        """Account events above `seq` still waiting for the relay."""
        ...

    async def marker(self) -> str | None: ...

    async def set_marker(self, source: str) -> None: ...

    async def clear_marker(self) -> None: ...
