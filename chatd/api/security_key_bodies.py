"""Request and response bodies of security keys (api/security_keys.py): the
JSON form of a browser's PublicKeyCredential, base64url fields as
PublicKeyCredential.toJSON() writes them. Lengths only bound the work;
services/second_factor/credential_json.py decodes strictly."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from chatd.api.account_bodies import Body

B64 = Annotated[str, Meta(max_length=8192, description="base64url (padding optional)")]
KeyName = Annotated[str, Meta(max_length=256, description="1-64 characters after cleaning, the holder's name for it")]


class Credential(msgspec.Struct, kw_only=True):
    """Fields a browser adds besides these (authenticatorAttachment,
    clientExtensionResults, ...) are accepted and ignored."""

    id: B64
    rawId: B64  # noqa: N815 - WebAuthn's own name
    type: Literal["public-key"]


class AttestationResponse(msgspec.Struct, kw_only=True):
    clientDataJSON: B64  # noqa: N815
    attestationObject: B64  # noqa: N815
    transports: Annotated[list[Annotated[str, Meta(max_length=32)]], Meta(max_length=16)] = []


class AssertionResponse(msgspec.Struct, kw_only=True):
    clientDataJSON: B64  # noqa: N815
    authenticatorData: B64  # noqa: N815
    signature: B64
    userHandle: B64 | None = None  # noqa: N815


class NewCredential(Credential, kw_only=True):
    """What navigator.credentials.create() answered."""

    response: AttestationResponse


class Assertion(Credential, kw_only=True):
    """What navigator.credentials.get() answered."""

    response: AssertionResponse


class SecurityKeyIn(Body):
    name: KeyName
    credential: NewCredential


class RenameKeyIn(Body):
    name: KeyName


class KeyLoginIn(Body):
    challenge: Annotated[str, Meta(max_length=256, description="from the password step's second_factor_required "
                                                               "answer")]
    credential: Assertion


class CeremonyOptions(msgspec.Struct, kw_only=True):
    publicKey: dict[str, Any]  # noqa: N815 - pass as navigator.credentials.create/get({publicKey}) after decoding


class KeyRemoved(msgspec.Struct, kw_only=True):
    removed: str  # the key's id
    two_step: bool  # whether two-step sign-in is still on (false: that was the last factor)
    detail: str
