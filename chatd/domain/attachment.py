"""Attachment metadata; the bytes live in the blob store under storage_key."""

from datetime import datetime

from chatd.domain.base import Entity


class Attachment(Entity, kw_only=True):
    id: str
    uploader_id: str
    conversation_id: str
    message_id: str | None = None
    filename: str
    content_type: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    thumbnail: bool = False
    encrypted: bool = False
    created_at: datetime
