"""A user's own login sessions: list them, end one, end all but this one.

A session left signed in on a lost phone or a shared computer is ended from
any other device; the sockets it holds close at their next session check
(realtime/gateway.py), like after a logout. Personal API tokens are managed
apart (/me/tokens): ending sessions never touches them.
"""

from __future__ import annotations

import logging

from chatd import clock
from chatd.domain import User
from chatd.domain.auth import Session
from chatd.errors import NotFound
from chatd.storage.ports.auth import AuthStore

log = logging.getLogger("chatd.auth")


class OwnSessions:
    auth: AuthStore

    async def list_sessions(self, me: User) -> list[Session]:
        """Oldest first; expired ones are left out."""
        now = clock.now()
        return [s for s in await self.auth.list_sessions(me.id, "session")
                if s.expires_at is None or s.expires_at > now]

    async def end_session(self, me: User, session_id: str) -> None:
        """Only the caller's own login sessions: anyone else's id is 404, as if it did not exist."""
        if not await self.auth.delete_session(session_id, user_id=me.id, kind="session"):
            raise NotFound("No such session.")
        log.info("session ended by its owner: account %r, session %s", me.username, session_id)

    async def end_other_sessions(self, me: User, current: Session) -> int:
        """Every login session but the one this request came with (a token caller ends them all)."""
        keep = current.id if current.kind == "session" else None
        ended = await self.auth.delete_sessions(me.id, "session", except_id=keep)
        log.info("sessions ended by their owner: account %r, %d ended", me.username, ended)
        return ended
