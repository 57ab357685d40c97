"""POST /api/v1/auth/register, /login, /logout."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from chatd.api.account_bodies import AuthOut, LoginIn, RegisterIn, Registration
from chatd.api.client_address import client_address
from chatd.api.client_place import client_place
from chatd.api.security import clear_session_cookies, current_session, session_cookie, set_session_cookies
from chatd.services.registry import Services


@post("/api/v1/auth/register", status_code=201, tags=["auth"], exclude_from_auth=True)
async def register(request: Request, data: JSONBody[RegisterIn], services: NamedDependency[Services]) -> AuthOut:
    """Create an account (open, invite-only or closed per auth.registration);
    the first account of a server becomes admin. Answers a session token."""
    user, token = await services.accounts.register(data.username, data.password, data.display_name, data.invite)
    await services.activity.known_place(user.id, client_place(request, services.config))  # signing in here later is no news
    return AuthOut(user=user, token=token)


@get("/api/v1/auth/registration", tags=["auth"], exclude_from_auth=True)
async def registration(services: NamedDependency[Services]) -> Registration:
    """How sign-up works on this server now (open, invite or closed), so a
    sign-up form can ask for an invite or say that it is closed."""
    return Registration(mode=await services.accounts.registration())


@post("/api/v1/auth/login", status_code=200, tags=["auth"], exclude_from_auth=True)
async def login(request: Request, data: JSONBody[LoginIn], services: NamedDependency[Services]) -> Response[AuthOut]:
    """Sign in: answers a token and also sets the HttpOnly session cookie and
    the csrf_token cookie (echo it in X-CSRF-Token on cookie requests that
    change state)."""
    address = client_address(request, services.config)
    # A session cookie the browser already holds marks a known device (a larger budget).
    held = session_cookie(request)
    user, token = await services.accounts.login(data.username, data.password, address, held)
    await services.activity.signed_in(user.id, client_place(request, services.config))
    response = Response(AuthOut(user=user, token=token))
    set_session_cookies(response, token, services.config)
    return response


@post("/api/v1/auth/logout", status_code=204, tags=["auth"])
async def logout(request: Request, services: NamedDependency[Services]) -> Response[None]:
    """End the session or token this request authenticated with."""
    await services.accounts.logout(current_session(request))
    response = Response(None, status_code=204)
    clear_session_cookies(response, services.config)
    return response


AUTH_ROUTES = [register, registration, login, logout]
