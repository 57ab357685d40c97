"""The user directory: other users, public fields only (data minimization)."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from chatd.api.account_bodies import PublicUsers
from chatd.api.security import Me
from chatd.domain import PublicUser
from chatd.services.registry import Services


@get("/api/v1/users", tags=["users"])
async def search_users(
    me: Me,
    services: NamedDependency[Services],
    q: Annotated[str, QueryParameter(max_length=64)] = "",
    limit: Annotated[int, QueryParameter(ge=1, le=50)] = 20,
) -> PublicUsers:
    """Enabled users whose username starts with q or whose display name contains it."""
    return PublicUsers(items=await services.accounts.search(q, limit))


@get("/api/v1/users/{user_id:str}", tags=["users"])
async def get_user(user_id: FromPath[str], me: Me, services: NamedDependency[Services]) -> PublicUser:
    """One user's public profile and device keys."""
    return await services.accounts.public_user(user_id)


USER_ROUTES = [search_users, get_user]
