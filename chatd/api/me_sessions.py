"""The caller's own login sessions: /api/v1/me/sessions.

Lists where the account is signed in and ends any of those sessions (a lost
phone, a shared computer). API tokens have their own routes (/me/tokens).
"""

from __future__ import annotations

import msgspec
from litestar import Request, delete, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from chatd.api.client_place import client_place
from chatd.api.security import Me, current_session
from chatd.domain.auth import LoginSession
from chatd.services.registry import Services


class LoginSessions(msgspec.Struct):
    items: list[LoginSession]


@get("/api/v1/me/sessions", tags=["me"])
async def list_sessions(request: Request, me: Me, services: NamedDependency[Services]) -> LoginSessions:
    """Login sessions that have not expired, oldest first; `current` marks this request's."""
    current = current_session(request)
    return LoginSessions(items=[LoginSession.of(s, current.id) for s in await services.accounts.list_sessions(me)])


@delete("/api/v1/me/sessions", status_code=204, tags=["me"])
async def end_other_sessions(request: Request, me: Me, services: NamedDependency[Services]) -> None:
    """Sign out everywhere else: every login session but this one ends (API tokens stay)."""
    if ended := await services.accounts.end_other_sessions(me, current_session(request)):
        await services.activity.record(me.id, "sessions_ended", client_place(request, services.config), detail=str(ended))


@delete("/api/v1/me/sessions/{session_id:str}", status_code=204, tags=["me"])
async def end_session(request: Request, session_id: FromPath[str], me: Me,
                      services: NamedDependency[Services]) -> None:
    """End one of the caller's login sessions (this one too); its live sockets close. 404 for anyone else's."""
    await services.accounts.end_session(me, session_id)
    await services.activity.record(me.id, "session_ended", client_place(request, services.config))


SESSION_ROUTES = [list_sessions, end_other_sessions, end_session]
