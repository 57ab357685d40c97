"""Event: one entry of the persistent sync log, also the real-time frame."""

from datetime import datetime
from typing import Any

from chatd.domain.base import Entity


class Event(Entity, kw_only=True):
    seq: int
    type: str
    conversation_id: str | None = None
    payload: dict[str, Any] = {}
    created_at: datetime
