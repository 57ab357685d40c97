"""GET /api/v1/privacy: what this server stores (ASVS 8.3.3), public, so the
sign-up screen can show it before anyone has an account."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency

from chatd.services.privacy_notice import PrivacyNotice
from chatd.services.registry import Services


@get("/api/v1/privacy", exclude_from_auth=True, tags=["auth"])
async def privacy_notice(services: NamedDependency[Services]) -> Response[PrivacyNotice]:
    """The privacy notice: the operator's (server.privacy_notice_file) or
    chatd's default, as `markdown` or plain `text`. Render it as text: it is
    never HTML."""
    return Response(services.privacy, headers={"Cache-Control": "no-cache"})


PRIVACY_ROUTES = [privacy_notice]
