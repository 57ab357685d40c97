"""Request and response bodies of the account endpoints (auth, me, users, admin).

Length limits here only bound the work per request; the real rules (and
their error codes) live in services/account_rules.py.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from chatd.bounds import MAX_INT64
from chatd.config import RegistrationMode
from chatd.domain import PublicUser, Role, User
from chatd.domain.auth import ApiToken, Invite

Short = Annotated[str, Meta(max_length=256)]
Secret = Annotated[str, Meta(max_length=4096)]
Key = Annotated[str, Meta(max_length=128)]


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class RegisterIn(Body):
    username: Short
    password: Secret
    display_name: Short | None = None
    invite: Short | None = None


class LoginIn(Body):
    username: Short
    password: Secret


class AuthOut(msgspec.Struct, kw_only=True):
    user: User
    token: str


class ProfilePatch(Body):
    """Only the fields sent change; `version` (or an If-Match header) is required."""

    version: Annotated[int, Meta(ge=1, le=MAX_INT64)] | None = None
    display_name: Short | UnsetType = UNSET
    avatar: Short | None | UnsetType = UNSET
    bio: Annotated[str, Meta(max_length=4096)] | UnsetType = UNSET
    status_text: Short | UnsetType = UNSET
    preferences: dict[str, Any] | UnsetType = UNSET

    def changes(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__struct_fields__ if f != "version" and getattr(self, f) is not UNSET}


class PasswordIn(Body):
    current: Secret
    new: Secret


class TokenIn(Body):
    name: Short
    expires_days: Annotated[int, Meta(ge=1, le=3650)] | None = None


class TokenCreated(ApiToken, kw_only=True):
    """The new token's secret, shown this once."""

    token: str


class KeysIn(Body):
    device_id: Key
    x25519: Key
    ed25519: Key


class RoleIn(Body):
    role: Role


class RegistrationIn(Body):
    mode: RegistrationMode


class Registration(msgspec.Struct, kw_only=True):
    mode: RegistrationMode


class InviteIn(Body):
    max_uses: Annotated[int, Meta(ge=1, le=10_000)] = 1
    expires_hours: Annotated[int, Meta(ge=1, le=24 * 365)] = 24 * 7


class InviteCreated(Invite, kw_only=True):
    """The invite code, shown this once."""

    code: str


class PublicUsers(msgspec.Struct):
    items: list[PublicUser]


class Users(msgspec.Struct):
    items: list[User]


class ApiTokens(msgspec.Struct):
    items: list[ApiToken]


class Invites(msgspec.Struct):
    items: list[Invite]


class Stats(msgspec.Struct, kw_only=True):
    users: int
    admins: int
    disabled: int
    sessions: int
    tokens: int
    invites: int
