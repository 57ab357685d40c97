"""The caller's own data: GET /api/v1/me/export, DELETE /api/v1/me (ASVS 8.3.2)."""

from __future__ import annotations

from litestar import Request, Response, delete, get
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.response import Stream

from chatd import clock
from chatd.api.account_bodies import DeleteAccountIn
from chatd.api.security import Me, clear_session_cookies, current_session
from chatd.services.registry import Services


@get("/api/v1/me/export", tags=["me"], media_type="application/json")
async def export_me(request: Request, me: Me, services: NamedDependency[Services]) -> Stream:
    """Everything of the account, as one JSON document (format "chatd-export",
    version 1; docs/api.md), written as it is read. One at a time per user
    and limits.exports_per_hour (429 with Retry-After)."""
    chunks = await services.account_export.open(me, current_session(request).id)
    day = clock.now().strftime("%Y-%m-%d")
    return Stream(
        chunks,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="chatd-export-{me.username}-{day}.json"',
            "Cache-Control": "no-store",
        },
    )


@delete("/api/v1/me", status_code=204, tags=["me"])
async def delete_me(request: Request, data: JSONBody[DeleteAccountIn], me: Me,
                    services: NamedDependency[Services]) -> Response[None]:
    """Delete the account for good, confirmed with the current password: it
    is signed out everywhere at once and never signs in again (docs/api.md)."""
    await services.account_deletion.delete(me, current_session(request), data.password)
    response = Response(None, status_code=204)
    clear_session_cookies(response, services.config)
    return response


ME_DATA_ROUTES = [export_me, delete_me]
