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

# The schema's lengths bound the work per request; the descriptions say the
# rule that applies after cleaning (NFC, control characters removed), which
# the OpenAPI document shows to client developers.
AFTER = " characters after cleaning (Unicode NFC, control and bidi characters removed, spaces collapsed)"
Username = Annotated[str, Meta(max_length=256, description="3-32 of a-z 0-9 _ . - after trimming and lowercasing")]
Password = Annotated[str, Meta(max_length=4096, description="12-1024 characters (runs of spaces count as one), not guessable")]
DisplayName = Annotated[str, Meta(max_length=256, description="1-64" + AFTER + ", at least one of them visible")]
StatusText = Annotated[str, Meta(max_length=256, description="at most 140" + AFTER)]
Bio = Annotated[str, Meta(max_length=4096, description="at most 500" + AFTER + "; may be several lines")]
Avatar = Annotated[str, Meta(max_length=256, description='null or "" clears it; any other value must be the current '
                                                        "one (avatars are set by upload: PUT /api/v1/me/avatar)")]
Preferences = Annotated[dict[str, Any], Meta(description="a JSON object of at most 8192 bytes encoded, nested at "
                                                         "most 8 levels; replaced whole")]
EditedVersion = Annotated[int, Meta(ge=1, le=MAX_INT64, description="the version this change is based on; required "
                                                                   "unless an If-Match header names it")]


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class RegisterIn(Body):
    username: Username
    password: Password
    display_name: DisplayName | None = None
    invite: Annotated[str, Meta(max_length=256, description="an invite code (auth.registration = invite)")] | None = None


class LoginIn(Body):
    username: Short
    password: Secret


class AuthOut(msgspec.Struct, kw_only=True):
    user: User
    token: str


class ProfilePatch(Body):
    """Only the fields sent change; `version` (or an If-Match header) is required."""

    version: EditedVersion | None = None
    display_name: DisplayName | UnsetType = UNSET
    avatar: Avatar | None | UnsetType = UNSET
    bio: Bio | UnsetType = UNSET
    status_text: StatusText | UnsetType = UNSET
    preferences: Preferences | UnsetType = UNSET

    def changes(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__struct_fields__ if f != "version" and getattr(self, f) is not UNSET}


class PasswordIn(Body):
    current: Secret
    new: Secret


class DeleteAccountIn(Body):
    password: Secret


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
    sig: Annotated[str, Meta(max_length=128, description="base64 of the device's Ed25519 signature of "
                                                          "'chatd-device-v1\\n' + device_id + '\\n' + x25519 "
                                                          "(docs/e2ee.md)")]


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
