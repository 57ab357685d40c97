"""/api/v1/admin/...: users (list, disable, enable, role), invites, stats. Admins only.

Each read of the server's lists or figures is logged on `chatd.access`
(api/access_log.py): who read what, never the rows."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from chatd.api import access_log
from chatd.api.account_bodies import (InviteCreated, InviteIn, Invites, Registration, RegistrationIn, RoleIn, Stats,
                                      Users)
from chatd.api.security import Me, current_session
from chatd.domain import User
from chatd.services.registry import Services


@get("/api/v1/admin/users", tags=["admin"])
async def admin_list_users(
    me: Me,
    services: NamedDependency[Services],
    q: Annotated[str, QueryParameter(max_length=64)] = "",
    after: Annotated[str, QueryParameter(max_length=64)] = "",
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> Users:
    """Every account (full view), by username; page with `after` = the last username seen."""
    users = await services.accounts.list_users(q, after, limit, actor=me)
    access_log.admin_read(me, "users", len(users), q=q, after=after, limit=limit)
    return Users(items=users)


@post("/api/v1/admin/users/{user_id:str}/disable", status_code=200, tags=["admin"])
async def admin_disable(request: Request, user_id: FromPath[str], me: Me, services: NamedDependency[Services]) -> User:
    """Lock the account out everywhere, its sessions and API tokens included
    (needs a recent step-up: 403 reauthentication_required)."""
    return await services.accounts.set_disabled(user_id, True, actor=me, session=current_session(request))


@post("/api/v1/admin/users/{user_id:str}/enable", status_code=200, tags=["admin"])
async def admin_enable(request: Request, user_id: FromPath[str], me: Me, services: NamedDependency[Services]) -> User:
    return await services.accounts.set_disabled(user_id, False, actor=me, session=current_session(request))


@put("/api/v1/admin/users/{user_id:str}/role", tags=["admin"])
async def admin_set_role(request: Request, user_id: FromPath[str], data: JSONBody[RoleIn], me: Me,
                         services: NamedDependency[Services]) -> User:
    """Needs a recent step-up (403 reauthentication_required)."""
    return await services.accounts.set_role(user_id, data.role, actor=me, session=current_session(request))


@get("/api/v1/admin/invites", tags=["admin"])
async def admin_list_invites(me: Me, services: NamedDependency[Services]) -> Invites:
    invites = await services.accounts.list_invites(actor=me)
    access_log.admin_read(me, "invites", len(invites))
    return Invites(items=invites)


@post("/api/v1/admin/invites", status_code=201, tags=["admin"])
async def admin_create_invite(data: JSONBody[InviteIn], me: Me, services: NamedDependency[Services]) -> InviteCreated:
    """A new invite; its code is shown only here."""
    invite, code = await services.accounts.create_invite(data.max_uses, data.expires_hours, actor=me)
    return InviteCreated(**{f: getattr(invite, f) for f in invite.__struct_fields__}, code=code)


@delete("/api/v1/admin/invites/{invite_id:str}", status_code=204, tags=["admin"])
async def admin_revoke_invite(invite_id: FromPath[str], me: Me, services: NamedDependency[Services]) -> None:
    await services.accounts.revoke_invite(invite_id, actor=me)


@put("/api/v1/admin/registration", tags=["admin"])
async def admin_set_registration(data: JSONBody[RegistrationIn], me: Me, services: NamedDependency[Services]) -> Registration:
    """Open, invite-only or closed sign-up, at once and across restarts: the
    stored mode wins over auth.registration in chatd.toml until it is reset
    (DELETE on this path)."""
    return Registration(mode=await services.accounts.set_registration(data.mode, actor=me))


@delete("/api/v1/admin/registration", status_code=200, tags=["admin"])
async def admin_reset_registration(me: Me, services: NamedDependency[Services]) -> Registration:
    """Forget the mode an admin stored: auth.registration in chatd.toml
    applies again. Answers that mode."""
    return Registration(mode=await services.accounts.reset_registration(actor=me))


@get("/api/v1/admin/stats", tags=["admin"])
async def admin_stats(me: Me, services: NamedDependency[Services]) -> Stats:
    stats = Stats(**await services.accounts.stats(actor=me))
    access_log.admin_read(me, "stats")
    return stats


ADMIN_ROUTES = [admin_list_users, admin_disable, admin_enable, admin_set_role, admin_list_invites,
                admin_create_invite, admin_revoke_invite, admin_set_registration, admin_reset_registration,
                admin_stats]
