"""Port: attachment metadata (the bytes are in the blob store, see blobs.py).

An upload is added once its bytes are stored; a send binds it to its message
inside the send's own atomic step (MessageStore.append). The janitor takes
expired rows out in one atomic step per batch and only then deletes their
bytes, so a download never finds a row whose bytes are gone on purpose.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

import msgspec

from chatd.domain import Attachment


class StoredAttachment(msgspec.Struct, frozen=True, kw_only=True):
    attachment: Attachment
    storage_key: str  # server-only: where the bytes are
    # The message it was sent with, if that message was deleted since (then
    # nobody may read it, though its bytes wait out a grace period).
    message_deleted_at: datetime | None = None


class Expired(msgspec.Struct, frozen=True, kw_only=True):
    """What one janitor batch removed: the bytes of these keys go next."""

    id: str
    storage_key: str
    size: int
    thumbnail: bool


class MediaStats(msgspec.Struct, kw_only=True):
    count: int = 0
    bytes: int = 0
    unbound_count: int = 0
    unbound_bytes: int = 0
    by_type: dict[str, int] = {}  # content type -> bytes


class AttachmentStore(Protocol):
    async def add(self, attachment: Attachment, storage_key: str) -> None: ...

    async def get(self, attachment_id: str) -> StoredAttachment | None: ...

    async def of_conversation(self, conversation_id: str, *, ids: Collection[str] | None = None,
                              before: str | None = None, limit: int = 50) -> list[Attachment]:
        """Attachments sent in the conversation (bound to a live message),
        newest first: those among `ids`, or a page below the id `before`."""
        ...

    async def usage(self, uploader_id: str) -> int:
        """Bytes of every attachment the user uploaded that is still stored."""
        ...

    async def take_expired(self, *, unbound_before: datetime, deleted_before: datetime,
                           created_before: datetime | None, limit: int) -> list[Expired]:
        """Remove, in one atomic step, up to `limit` rows that are: never bound
        and uploaded before `unbound_before`; bound to a message deleted
        before `deleted_before`; or (retention) uploaded before
        `created_before`. Returns what it removed."""
        ...

    async def known(self, ids: Collection[str]) -> set[str]:
        """Which of these ids have a row (the orphan sweep asks)."""
        ...

    async def avatars_in_use(self, ids: Collection[str]) -> set[str]:
        """Which of these avatar ids a user or a conversation shows now."""
        ...

    async def stats(self) -> MediaStats: ...
