"""Two-step sign-in: /api/v1/me/second-factor/... (enrol, confirm, turn off),
the sign-in's second step (/api/v1/auth/login/second-factor) and step-up
(/api/v1/auth/reauth). The rules are in services/second_factor/."""

from __future__ import annotations

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from chatd.api.account_bodies import AuthOut
from chatd.api.client_address import client_address
from chatd.api.client_place import client_place
from chatd.api.second_factor_bodies import (CodeIn, DisableIn, ReauthIn, RecoveryCodes, SecondFactorLoginIn,
                                            SecondFactorStatus, TotpEnrolment)
from chatd.api.security import Me, current_session, set_session_cookies
from chatd.services.registry import Services


@get("/api/v1/me/second-factor", tags=["me"])
async def second_factor_status(me: Me, services: NamedDependency[Services]) -> SecondFactorStatus:
    """Whether two-step sign-in is on, begun, and how many recovery codes are left."""
    return SecondFactorStatus(**await services.accounts.factors.status(me))  # type: ignore[arg-type]


@post("/api/v1/me/second-factor/totp", status_code=201, tags=["me"])
async def begin_totp(request: Request, me: Me, services: NamedDependency[Services]) -> TotpEnrolment:
    """A new TOTP secret and its otpauth:// URI (for a QR code); not in force until
    confirmed. Replaces an unconfirmed one; 409 second_factor_enabled when on.
    Needs a recent step-up (403 reauthentication_required)."""
    secret, uri = await services.accounts.factors.begin(me, current_session(request))
    return TotpEnrolment(secret=secret, otpauth_uri=uri)


@post("/api/v1/me/second-factor/totp/confirm", status_code=200, tags=["me"])
async def confirm_totp(request: Request, data: JSONBody[CodeIn], me: Me,
                       services: NamedDependency[Services]) -> RecoveryCodes:
    """Turn TOTP on with a current code from the app; answers ten one-time
    recovery codes, shown only here. 403 invalid_code, 409 no_enrolment."""
    address = client_address(request, services.config)
    codes = await services.accounts.factors.confirm(me, current_session(request), data.code, address)
    await services.activity.record(me.id, "second_factor_enabled", client_place(request, services.config))
    return RecoveryCodes(recovery_codes=codes)


@post("/api/v1/me/second-factor/totp/disable", status_code=204, tags=["me"])
async def disable_totp(request: Request, data: JSONBody[DisableIn], me: Me, services: NamedDependency[Services]) -> None:
    """Turn TOTP off (its recovery codes go too): the password and a current
    code or a recovery code, in this request."""
    address = client_address(request, services.config)
    await services.accounts.factors.disable(me, current_session(request), data.password, data.code, address)
    await services.activity.record(me.id, "second_factor_disabled", client_place(request, services.config))


@post("/api/v1/auth/login/second-factor", status_code=200, tags=["auth"], exclude_from_auth=True)
async def login_second_factor(request: Request, data: JSONBody[SecondFactorLoginIn],
                              services: NamedDependency[Services]) -> Response[AuthOut]:
    """The second step of a sign-in: the challenge from the password step plus
    a TOTP code or a recovery code. Answers like /auth/login (token and
    cookies). 401 invalid_code (the challenge stays for a few more tries) or
    challenge_invalid (expired, used or unknown: sign in again); 429 as login."""
    address = client_address(request, services.config)
    user, token = await services.accounts.login_second_factor(data.challenge, data.code, address)
    await services.activity.signed_in(user.id, client_place(request, services.config))  # a new place is news
    response = Response(AuthOut(user=user, token=token))
    set_session_cookies(response, token, services.config)
    return response


@post("/api/v1/auth/reauth", status_code=204, tags=["auth"])
async def reauth(request: Request, data: JSONBody[ReauthIn], me: Me, services: NamedDependency[Services]) -> None:
    """Step-up: prove it is you again (the password, and when two-step sign-in
    is on a code, or `credential`: a security key's answer to POST
    /api/v1/auth/reauth/options); high-value actions then work on this
    session for 10 minutes."""
    address = client_address(request, services.config)
    credential = msgspec.to_builtins(data.credential) if data.credential is not None else None
    await services.accounts.factors.reauth(me, current_session(request), data.password, data.code, address, credential)


SECOND_FACTOR_ROUTES = [second_factor_status, begin_totp, confirm_totp, disable_totp, login_second_factor, reauth]
