"""Security keys and passkeys (WebAuthn) as a second factor:
/api/v1/me/second-factor/security-keys (enrol, list, rename, remove), the
sign-in's key step (/api/v1/auth/login/security-key) and the options for a
step-up with a key (/api/v1/auth/reauth/options). The rules are in
services/second_factor/security_keys.py."""

from __future__ import annotations

import msgspec
from litestar import Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from chatd.api.account_bodies import AuthOut
from chatd.api.client_address import client_address
from chatd.api.client_place import client_place
from chatd.api.security import Me, current_session, set_session_cookies
from chatd.api.security_key_bodies import CeremonyOptions, KeyLoginIn, KeyRemoved, RenameKeyIn, SecurityKeyIn
from chatd.domain.auth import SecurityKey
from chatd.services.registry import Services

BASE = "/api/v1/me/second-factor/security-keys"


@get(BASE, tags=["me"])
async def list_security_keys(me: Me, services: NamedDependency[Services]) -> list[SecurityKey]:
    """Your security keys and passkeys, oldest first."""
    return [k.shown() for k in await services.accounts.factors.store.list_keys(me.id)]


@post(BASE + "/options", status_code=200, tags=["me"])
async def security_key_options(request: Request, me: Me, services: NamedDependency[Services]) -> CeremonyOptions:
    """Options for navigator.credentials.create() (base64url fields); their
    challenge is good once, for 5 minutes, on this session. Needs a recent
    step-up (403 reauthentication_required)."""
    options = await services.accounts.factors.keys.registration_options(me, current_session(request))
    return CeremonyOptions(publicKey=options)


@post(BASE, status_code=201, tags=["me"])
async def add_security_key(request: Request, data: JSONBody[SecurityKeyIn], me: Me,
                           services: NamedDependency[Services]) -> SecurityKey:
    """Register the key that answered the options: two-step sign-in is on from
    now. 400 invalid_credential (malformed), 403 invalid_attestation (did not
    verify: challenge, origin, rp id) or webauthn_challenge_invalid (no
    options pending on this session), 409 security_key_registered."""
    key = await services.accounts.factors.keys.register(
        me, current_session(request), data.name, msgspec.to_builtins(data.credential),
        client_place(request, services.config))
    return key.shown()


@patch(BASE + "/{key_id:str}", tags=["me"])
async def rename_security_key(key_id: FromPath[str], data: JSONBody[RenameKeyIn], me: Me,
                              services: NamedDependency[Services]) -> SecurityKey:
    """Rename one of your keys."""
    return (await services.accounts.factors.keys.rename(me, key_id, data.name)).shown()


@delete(BASE + "/{key_id:str}", status_code=200, tags=["me"])
async def remove_security_key(request: Request, key_id: FromPath[str], me: Me,
                              services: NamedDependency[Services]) -> KeyRemoved:
    """Remove one of your keys. Needs a recent step-up. `two_step` false: it
    was the last factor (TOTP off, no other key), so two-step sign-in is off."""
    still_on = await services.accounts.factors.remove_key(me, current_session(request), key_id,
                                                          client_place(request, services.config))
    detail = "Security key removed." + ("" if still_on else " It was your last second factor: two-step sign-in is "
                                                          "now off.")
    return KeyRemoved(removed=key_id, two_step=still_on, detail=detail)


@post("/api/v1/auth/login/security-key", status_code=200, tags=["auth"], exclude_from_auth=True)
async def login_security_key(request: Request, data: JSONBody[KeyLoginIn],
                             services: NamedDependency[Services]) -> Response[AuthOut]:
    """The second step of a sign-in with a security key: the challenge from the
    password step and the key's answer to its `webauthn` options. Answers
    like /auth/login. 401 invalid_assertion (the challenge stays for a few
    more tries) or challenge_invalid; 400 invalid_credential; 429 as login."""
    address = client_address(request, services.config)
    user, token = await services.accounts.login_second_factor(data.challenge, None, address,
                                                              msgspec.to_builtins(data.credential))
    await services.activity.signed_in(user.id, client_place(request, services.config))
    response = Response(AuthOut(user=user, token=token))
    set_session_cookies(response, token, services.config)
    return response


@post("/api/v1/auth/reauth/options", status_code=200, tags=["auth"])
async def reauth_options(request: Request, me: Me, services: NamedDependency[Services]) -> CeremonyOptions:
    """Options for navigator.credentials.get() to step up with a security key:
    send its answer as `credential` to POST /api/v1/auth/reauth (good once,
    for 5 minutes, on this session)."""
    return CeremonyOptions(publicKey=await services.accounts.factors.keys.reauth_options(me, current_session(request)))


SECURITY_KEY_ROUTES = [list_security_keys, security_key_options, add_security_key, rename_security_key,
                       remove_security_key, login_security_key, reauth_options]
