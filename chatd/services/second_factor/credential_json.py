"""A browser's WebAuthn answer (the JSON form of a PublicKeyCredential,
base64url fields) into py_webauthn's structures, strictly: malformed
input is 400 invalid_credential here, before anything is verified or
counted, and never an exception from deeper down. py_webauthn is imported
on the first ceremony, not at start (security_keys.py says why)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from chatd.errors import Invalid


def b64url(value: Any, what: str) -> bytes:
    """Bytes of unpadded (or padded) base64url text; 400 for anything else."""
    text = value.rstrip("=") if isinstance(value, str) else ""
    if not text:
        raise Invalid(f"{what} must be base64url text.", code="invalid_credential")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(f"{what} is not valid base64url.", code="invalid_credential") from None


def encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _raw_id(data: dict[str, Any]) -> tuple[str, bytes]:
    raw = b64url(data.get("rawId"), "rawId")
    if b64url(data.get("id"), "id") != raw:
        raise Invalid("id and rawId name different credentials.", code="invalid_credential")
    return encode(raw), raw


def registration(data: dict[str, Any]) -> tuple[Any, list[str]]:
    """The credential (py_webauthn's RegistrationCredential) and the
    transports the browser reported (unknown ones dropped)."""
    from webauthn.helpers.structs import AuthenticatorAttestationResponse, AuthenticatorTransport, RegistrationCredential

    known = {t.value for t in AuthenticatorTransport}
    cid, raw = _raw_id(data)
    response = data.get("response") or {}
    transports = [t for t in response.get("transports") or [] if isinstance(t, str) and t in known][:8]
    credential = RegistrationCredential(
        id=cid, raw_id=raw,
        response=AuthenticatorAttestationResponse(
            client_data_json=b64url(response.get("clientDataJSON"), "response.clientDataJSON"),
            attestation_object=b64url(response.get("attestationObject"), "response.attestationObject"),
            transports=[AuthenticatorTransport(t) for t in transports]),
    )
    return credential, transports


def assertion(data: dict[str, Any]) -> Any:
    """py_webauthn's AuthenticationCredential."""
    from webauthn.helpers.structs import AuthenticationCredential, AuthenticatorAssertionResponse

    cid, raw = _raw_id(data)
    response = data.get("response") or {}
    handle = response.get("userHandle")
    return AuthenticationCredential(
        id=cid, raw_id=raw,
        response=AuthenticatorAssertionResponse(
            client_data_json=b64url(response.get("clientDataJSON"), "response.clientDataJSON"),
            authenticator_data=b64url(response.get("authenticatorData"), "response.authenticatorData"),
            signature=b64url(response.get("signature"), "response.signature"),
            user_handle=b64url(handle, "response.userHandle") if handle else None),
    )
