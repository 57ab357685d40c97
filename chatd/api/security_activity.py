"""GET /api/v1/me/security-activity: the caller's own recent security events."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from chatd.api.security import Me
from chatd.services.registry import Services
from chatd.services.security_activity import PAGE_MAX, SecurityPage


@get("/api/v1/me/security-activity", tags=["me"])
async def list_security_activity(
    me: Me,
    services: NamedDependency[Services],
    before: Annotated[str | None, QueryParameter(min_length=1, max_length=64)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=PAGE_MAX)] = 20,
) -> SecurityPage:
    """Password changes, sessions ended, API tokens, E2EE devices and key
    backup, sign-ins from somewhere new and admin actions on this account,
    newest first. `before`: the id of the last event of the previous page."""
    return await services.activity.page(me, before, limit)


SECURITY_ACTIVITY_ROUTES = [list_security_activity]
