"""The caller's own account: /api/v1/me, password, API tokens, device keys."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody

from chatd.api.account_bodies import ApiTokens, KeysIn, PasswordIn, ProfilePatch, TokenCreated, TokenIn
from chatd.api import versions
from chatd.api.client_place import client_place
from chatd.api.security import Me, current_session
from chatd.domain import User
from chatd.domain.auth import ApiToken
from chatd.services.registry import Services


@get("/api/v1/me", tags=["me"])
async def get_me(me: Me) -> User:
    """Own profile and preferences (the full view only its owner gets)."""
    return me


@patch("/api/v1/me", tags=["me"])
async def patch_me(
    data: JSONBody[ProfilePatch],
    me: Me,
    services: NamedDependency[Services],
    if_match: Annotated[str | None, HeaderParameter(name="If-Match")] = None,
) -> User:
    """Change display_name, avatar, bio, status_text or preferences (replaced
    whole). A stale version answers 409 with the current profile."""
    version = versions.required(data.version, if_match)
    return await services.accounts.update_profile(me, data.changes(), version)


@put("/api/v1/me/password", status_code=204, tags=["me"])
async def put_password(request: Request, data: JSONBody[PasswordIn], me: Me, services: NamedDependency[Services]) -> None:
    """Change the password; every other login session ends (API tokens stay)."""
    await services.accounts.change_password(me, current_session(request), data.current, data.new)
    await services.activity.record(me.id, "password_changed", client_place(request, services.config))


@get("/api/v1/me/tokens", tags=["me"])
async def list_tokens(me: Me, services: NamedDependency[Services]) -> ApiTokens:
    return ApiTokens(items=[ApiToken.of(s) for s in await services.accounts.list_tokens(me)])


@post("/api/v1/me/tokens", status_code=201, tags=["me"])
async def create_token(request: Request, data: JSONBody[TokenIn], me: Me,
                       services: NamedDependency[Services]) -> TokenCreated:
    """A personal API token for bots and scripts; its secret is shown only here.
    Needs a recent step-up (403 reauthentication_required: POST /api/v1/auth/reauth)."""
    session, secret = await services.accounts.create_token(me, current_session(request), data.name,
                                                           data.expires_days)
    item = ApiToken.of(session)
    await services.activity.record(me.id, "token_created", client_place(request, services.config), detail=item.name)
    return TokenCreated(**{f: getattr(item, f) for f in item.__struct_fields__}, token=secret)


@delete("/api/v1/me/tokens", status_code=204, tags=["me"])
async def delete_tokens(request: Request, me: Me, services: NamedDependency[Services]) -> None:
    """Revoke every personal API token."""
    if await services.accounts.revoke_all_tokens(me):
        await services.activity.record(me.id, "token_revoked", client_place(request, services.config), detail="all")


@delete("/api/v1/me/tokens/{token_id:str}", status_code=204, tags=["me"])
async def delete_token(request: Request, token_id: FromPath[str], me: Me, services: NamedDependency[Services]) -> None:
    await services.accounts.revoke_token(me, token_id)
    await services.activity.record(me.id, "token_revoked", client_place(request, services.config), detail=token_id)


@put("/api/v1/me/keys", tags=["me"])
async def put_keys(request: Request, data: JSONBody[KeysIn], me: Me, services: NamedDependency[Services]) -> User:
    """Publish this device's E2EE public keys (base64 of 32-byte X25519 and
    Ed25519 keys) with the device's signature of them (`sig`, checked); the
    same device_id again replaces its keys."""
    user = await services.accounts.put_key(me, data.device_id, data.x25519, data.ed25519, data.sig)
    # A browser publishes its device at every start: only new keys are news.
    if not any((k.device_id, k.x25519, k.ed25519) == (data.device_id, data.x25519, data.ed25519) for k in me.keys):
        await services.activity.record(me.id, "device_key_added", client_place(request, services.config), detail=data.device_id)
    return user


@delete("/api/v1/me/keys/{device_id:str}", status_code=200, tags=["me"])
async def delete_keys(request: Request, device_id: FromPath[str], me: Me,
                      services: NamedDependency[Services]) -> User:
    """Withdraw one device's keys (a lost or retired device)."""
    user = await services.accounts.delete_key(me, device_id)
    await services.activity.record(me.id, "device_key_removed", client_place(request, services.config), detail=device_id)
    return user


ME_ROUTES = [get_me, patch_me, put_password, list_tokens, create_token, delete_tokens, delete_token, put_keys,
             delete_keys]
