"""No membership cache in one process (port: storage/ports/member_cache.py):
the database is local and the hub keeps its own view of connected users."""

from __future__ import annotations

from chatd.storage.ports.events import EventNote
from chatd.storage.ports.member_cache import Load


class NoMembershipCache:
    async def conversations_of(self, user_id: str, load: Load) -> list[str]:
        return await load()

    def changed(self, notes: list[EventNote]) -> None:
        return None
