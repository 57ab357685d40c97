"""The user directory: other users, public fields only (data minimization)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from chatd.api.account_bodies import PublicUsers
from chatd.api.security import Me
from chatd.domain import PublicUser
from chatd.services.registry import Services
from chatd.storage.ports.presence import State as PresenceState


@get("/api/v1/users", tags=["users"])
async def search_users(
    me: Me,
    services: NamedDependency[Services],
    q: Annotated[str, QueryParameter(max_length=64)] = "",
    limit: Annotated[int, QueryParameter(ge=1, le=50)] = 20,
) -> PublicUsers:
    """Enabled users whose username starts with q or whose display name contains it."""
    return PublicUsers(items=await services.accounts.search(q, limit))


class UserProfile(PublicUser, kw_only=True):
    """A public profile plus presence: online/away/offline, or null when the
    caller may not see it (no shared conversation or contact, or blocked)."""

    presence: PresenceState | None = None


@get("/api/v1/users/{user_id:str}", tags=["users"])
async def get_user(user_id: FromPath[str], me: Me, services: NamedDependency[Services], state: State) -> UserProfile:
    """One user's public profile, device keys and presence."""
    user = await services.accounts.public_user(user_id)
    presence = await state.realtime.presence.state_for(me.id, user.id)
    return UserProfile(**msgspec.structs.asdict(user), presence=presence)


USER_ROUTES = [search_users, get_user]
