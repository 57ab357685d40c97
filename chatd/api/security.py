"""Who is calling: the authentication middleware, CSRF for cookie sessions,
and the app-wide `me` dependency.

A request authenticates with `Authorization: Bearer <token>` (bots, scripts,
the Python client) or the session cookie set at login (the web UI). The
bearer header wins when both are present. Cookie requests that change state
must echo the `csrf_token` cookie in an `X-CSRF-Token` header (csrf.py): a page on
another site sends the cookie along but cannot read it. Bearer requests carry
no ambient credential, so they need no CSRF check. The WebSocket path is left
to the gateway, which calls `services.accounts.authenticate(token)` itself.
"""

from __future__ import annotations

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware

from chatd.api.csrf import CSRF_HEADER, csrf_passes
from chatd.config import Config
from chatd.domain import User
from chatd.domain.auth import Session
from chatd.errors import Forbidden, Unauthenticated
from chatd.services.tokens import csrf_for

SESSION_COOKIE = "chatd_session"
# With an https public_url the session cookie is "__Host-chatd_session": the
# browser then takes it only if Secure, host-only and Path=/, so a sibling
# subdomain (or a plain-http page on the same host) cannot plant a session of
# its own choosing into the user's browser.
HOST_SESSION_COOKIE = "__Host-" + SESSION_COOKIE
CSRF_COOKIE = "csrf_token"

# Paths anyone may call; handlers can also opt out with exclude_from_auth=True.
PUBLIC_PATHS = [
    r"^/healthz$",
    r"^/readyz$",
    r"^/schema(/|$)",
    r"^/static/",
    r"^/api/v1/auth/register$",
    r"^/api/v1/auth/login$",
    r"^/api/v1/auth/login/second-factor$",
]


def session_cookie_name(config: Config) -> str:
    return HOST_SESSION_COOKIE if config.https else SESSION_COOKIE


def session_cookie(connection: ASGIConnection) -> str | None:
    """The session cookie's value under the name this server sets (only that one)."""
    return connection.cookies.get(session_cookie_name(connection.app.state.config)) or None


def credentials(connection: ASGIConnection) -> tuple[str | None, bool]:
    """(token, came_from_cookie)."""
    header = connection.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        return (token.strip() or None) if scheme.lower() == "bearer" else None, False
    return session_cookie(connection), True


def check_csrf(connection: ASGIConnection, token: str) -> None:
    """The rule is csrf.py's (the fast lane calls it too)."""
    method = connection.scope.get("method", "GET")
    if not csrf_passes(method, connection.headers.get(CSRF_HEADER, ""), token):
        raise Forbidden("Missing or wrong X-CSRF-Token header for a cookie session.", code="csrf_failed")


class ChatdAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token, from_cookie = credentials(connection)
        if token is None:
            raise Unauthenticated("Sign in, or send Authorization: Bearer <token>.", code="unauthenticated")
        accounts = connection.app.state.runtime.services.accounts
        user, session = await accounts.authenticate(token)
        if from_cookie:
            check_csrf(connection, token)
        return AuthenticationResult(user=user, auth=session)


auth_middleware = DefineMiddleware(ChatdAuthMiddleware, exclude=PUBLIC_PATHS, scopes={ScopeType.HTTP})


# Handlers write `me: Me` (or `me: User`, which Litestar 2.25 accepts with a
# deprecation warning): the signed-in user.
Me = NamedDependency[User]


def provide_me(request: Request) -> User:
    """The signed-in user (disabled users never get this far)."""
    return request.user


def current_session(request: Request) -> Session:
    return request.auth


def set_session_cookies(response: Response, token: str, config: Config) -> None:
    """The HttpOnly session cookie plus the JS-readable CSRF token bound to it."""
    age = min(config.auth.session_days, config.auth.session_max_days) * 86400
    secure = config.auth.secure_cookies or config.https
    response.cookies.extend([
        Cookie(key=session_cookie_name(config), value=token, path="/", max_age=age, httponly=True, samesite="lax", secure=secure),
        Cookie(key=CSRF_COOKIE, value=csrf_for(token), path="/", max_age=age, httponly=False, samesite="lax",
               secure=secure),
    ])


def clear_session_cookies(response: Response, config: Config) -> None:
    secure = config.auth.secure_cookies or config.https
    response.cookies.extend([
        Cookie(key=name, value="", path="/", max_age=0, httponly=name != CSRF_COOKIE, samesite="lax",
               secure=secure)
        for name in (session_cookie_name(config), CSRF_COOKIE)
    ])
