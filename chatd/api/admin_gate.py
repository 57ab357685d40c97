"""ASVS 4.3.1: with auth.admin_second_factor = "required", every admin HTTP
route (/api/v1/admin/...) answers an admin without two-step sign-in 403
second_factor_required_for_admin, saying how to turn it on. Non-admins fall
through to the route's own admin_only answer. The `chatd user ...` CLI does
not pass here: it is root on the box."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler

ADMIN_PREFIX = "/api/v1/admin/"


async def admin_factor_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    accounts = connection.app.state.runtime.services.accounts
    await accounts.factors.require_for_admin(connection.user)


def guard_admin_routes(handlers: list[Any]) -> None:
    """Add the guard to every admin HTTP route (before the app is built)."""
    for handler in handlers:
        if isinstance(handler, HTTPRouteHandler) and next(iter(handler.paths)).startswith(ADMIN_PREFIX):
            handler.guards = [*(handler.guards or []), admin_factor_guard]
