"""Contact: the relation between two users as seen by its owner."""

from datetime import datetime
from typing import Literal

from chatd.domain.base import Entity

ContactStatus = Literal["pending_out", "pending_in", "accepted", "blocked"]


class Contact(Entity, kw_only=True):
    owner_id: str
    user_id: str
    status: ContactStatus
    alias: str = ""
    note: str = ""
    created_at: datetime
    updated_at: datetime
