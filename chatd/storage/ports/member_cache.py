"""Port: a cache of the hottest read, "which conversations is this user a
member of" (asked at every socket's connect: a reconnect storm after a
process died asks it for every user at once).

It must never say "member" after a removal committed: entries carry a
per-user generation that the committed member events bump (in the process
that committed them), and an entry is stored only if the generation did
not move while the database was read. Memory does not cache (one process
reads its own database; nothing to share); Redis shares it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from chatd.storage.ports.events import EventNote

Load = Callable[[], Awaitable[list[str]]]


class MembershipCache(Protocol):
    async def conversations_of(self, user_id: str, load: Load) -> list[str]:
        """The user's conversation ids: cached, or `load()` (the database) and
        cached when no membership change of theirs committed meanwhile. A
        cache that does not answer falls back to `load()`."""
        ...

    def changed(self, notes: list[EventNote]) -> None:
        """The committed-events listener: member.joined / member.left make
        the members' entries stale everywhere. Must not block."""
        ...
