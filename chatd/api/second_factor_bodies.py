"""Request and response bodies of two-step sign-in (api/second_factor.py)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from chatd.api.account_bodies import Body, Secret
from chatd.api.security_key_bodies import Assertion

Code = Annotated[str, Meta(max_length=64, description="6 digits from the authenticator app, or a recovery code "
                                                      "(xxxx-xxxx-xxxx-xxxx, any case, dashes optional)")]


class CodeIn(Body):
    code: Code


class SecondFactorLoginIn(Body):
    challenge: Annotated[str, Meta(max_length=256, description="from the password step's second_factor_required "
                                                               "answer")]
    code: Code


class ReauthIn(Body):
    password: Secret
    code: Code | None = None
    # A security key's answer to POST /api/v1/auth/reauth/options instead of a code.
    credential: Assertion | None = None


class DisableIn(Body):
    password: Secret
    code: Code


class SecondFactorStatus(msgspec.Struct, kw_only=True):
    totp: bool  # in force
    pending: bool  # an enrolment begun, not confirmed
    recovery_codes_left: int
    security_keys: int  # security keys and passkeys registered
    enabled: bool  # two-step sign-in is on: TOTP, or at least one security key
    admin_required: bool  # this account is an admin on a server that requires it


class TotpEnrolment(msgspec.Struct, kw_only=True):
    secret: str  # base32, for typing into an app
    otpauth_uri: str  # the same, for a QR code


class RecoveryCodes(msgspec.Struct, kw_only=True):
    recovery_codes: list[str]  # shown this once
