"""Security keys and passkeys (WebAuthn, ASVS 2.3.2) as a second factor:
enrol (after a recent step-up), list, rename, remove, and verify an
assertion for sign-in or step-up. py_webauthn does the ceremony checks
(challenge, origin, rp id hash, user presence, signature); chatd keeps the
rest: which account a credential belongs to, the signature counter, and
one use per challenge.

Every refused assertion counts toward the login limiter like a wrong code
(service.py::check_key).
A valid signature with a counter that went back means the key was cloned:
refused and told to the holder (security event security_key_cloned).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import msgspec

from chatd import clock, ids
from chatd.config import Config
from chatd.domain import User
from chatd.domain.auth import Session
from chatd.errors import Forbidden, Invalid, NotFound
from chatd.services.second_factor import credential_json, relying_party
from chatd.services.second_factor.step_up import require_recent
from chatd.services.security_activity import SecurityActivity, Where
from chatd.storage.ports.expiring import ExpiringStore
from chatd.storage.ports.security_keys import StoredKey
from chatd.storage.ports.second_factors import SecondFactorStore
from chatd.text import clean

log = logging.getLogger("chatd.auth")

CEREMONY_SECONDS = 300  # a registration or step-up challenge lives this long, and is used once
TIMEOUT_MS = 120_000  # what the browser is told to wait for a touch


# py_webauthn (with cryptography, pyOpenSSL, cbor2 and pyasn1: ~12 MB of
# RSS) is imported on the first key ceremony, not at start: most servers
# and most sign-ins never use a key (tests/unit/test_lean_start.py).
def _refused() -> tuple[type[BaseException], ...]:
    """What a crafted answer can raise."""
    from webauthn.helpers.exceptions import WebAuthnException

    return (WebAuthnException, ValueError, KeyError, TypeError, IndexError)


class _Held(msgspec.Struct, array_like=True):
    challenge: str  # base64url
    until_ms: int


def new_challenge() -> str:
    return credential_json.encode(secrets.token_bytes(32))


def _options(options: Any) -> dict[str, Any]:
    from webauthn import options_to_json

    return msgspec.json.decode(options_to_json(options))


def _descriptor(key: StoredKey) -> Any:
    from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

    return PublicKeyCredentialDescriptor(id=credential_json.b64url(key.credential_id, "credential"),
                                         transports=[AuthenticatorTransport(t) for t in key.transports])


def key_name(name: str) -> str:
    label = clean(name, single_line=True).strip()
    if not 1 <= len(label) <= 64:
        raise Invalid("A security key's name is 1 to 64 characters.", code="invalid_name")
    return label


class SecurityKeys:
    def __init__(self, config: Config, store: SecondFactorStore, cache: ExpiringStore, activity: SecurityActivity):
        self.config, self.store, self.cache, self.activity = config, store, cache, activity
        self.rp_id, self.origin = relying_party.rp_id(config), relying_party.origin(config)

    async def count(self, user_id: str) -> int:
        return len(await self.store.list_keys(user_id))

    # -- ceremonies bound to a session (registration, step-up) ---------------

    async def _hold(self, kind: str, session: Session, challenge: str) -> None:
        until = (clock.to_ms(clock.now()) or 0) + CEREMONY_SECONDS * 1000
        await self.cache.set(f"webauthn:{kind}:{session.id}", msgspec.json.encode(_Held(challenge, until)),
                             expires_in=CEREMONY_SECONDS)

    async def _take(self, kind: str, session: Session) -> bytes:
        """The session's pending challenge, spent now whatever the answer turns out to be."""
        key = f"webauthn:{kind}:{session.id}"
        raw = await self.cache.get(key)
        await self.cache.delete(key)
        held = msgspec.json.decode(raw, type=_Held) if raw is not None else None
        # Judged on chatd's clock too, not only the store's own expiry.
        if held is None or (clock.to_ms(clock.now()) or 0) >= held.until_ms:
            raise Forbidden("No security key request is pending (or it expired); start again.",
                            code="webauthn_challenge_invalid")
        return credential_json.b64url(held.challenge, "challenge")

    # -- enrolment ----------------------------------------------------------

    async def registration_options(self, me: User, session: Session) -> dict[str, Any]:
        """Options for navigator.credentials.create(). Needs a recent step-up."""
        from webauthn import generate_registration_options
        from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, ResidentKeyRequirement,
                                              UserVerificationRequirement)

        require_recent(session)
        challenge = new_challenge()
        options = generate_registration_options(
            rp_id=self.rp_id, rp_name=relying_party.NAME, user_name=me.username, user_id=me.id.encode(),
            user_display_name=me.display_name or me.username, challenge=credential_json.b64url(challenge, "c"),
            timeout=TIMEOUT_MS,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.DISCOURAGED,
                user_verification=UserVerificationRequirement.DISCOURAGED),
            exclude_credentials=[_descriptor(k) for k in await self.store.list_keys(me.id)],
        )
        await self._hold("register", session, challenge)
        return _options(options)

    async def register(self, me: User, session: Session, name: str, credential: dict[str, Any],
                       where: Where) -> StoredKey:
        from webauthn import verify_registration_response

        require_recent(session)
        label = key_name(name)
        parsed, transports = credential_json.registration(credential)
        expected = await self._take("register", session)
        try:
            verified = verify_registration_response(credential=parsed, expected_challenge=expected,
                                                    expected_rp_id=self.rp_id, expected_origin=self.origin)
        except _refused() as err:
            log.warning("security key refused at enrolment: account %r (%s)", me.username, err)
            raise Forbidden("The security key's answer did not verify: " + str(err)[:200],
                            code="invalid_attestation") from None
        was_on = await self.count(me.id) > 0
        key = await self.store.add_key(StoredKey(
            id=ids.new_id(), user_id=me.id, credential_id=credential_json.encode(verified.credential_id),
            public_key=credential_json.encode(verified.credential_public_key), sign_count=verified.sign_count,
            transports=transports, name=label, created_at=clock.now()))
        log.info("second factor: account %r added security key %s", me.username, key.id)
        await self.activity.record(me.id, "security_key_added", where, detail=label)
        if not was_on:
            await self.activity.record(me.id, "second_factor_enabled", where, detail="security key")
        return key

    async def rename(self, me: User, key_id: str, name: str) -> StoredKey:
        key = await self.store.rename_key(me.id, key_id, key_name(name))
        if key is None:
            raise NotFound("No such security key.")
        return key

    async def remove(self, me: User, session: Session, key_id: str, where: Where) -> StoredKey:
        """Needs a recent step-up: a stolen session must not strip a factor."""
        require_recent(session)
        key = await self.store.delete_key(me.id, key_id)
        if key is None:
            raise NotFound("No such security key.")
        log.warning("second factor: account %r removed security key %s", me.username, key.id)
        await self.activity.record(me.id, "security_key_removed", where, detail=key.name)
        return key

    # -- assertions ---------------------------------------------------------

    async def assertion_options(self, user_id: str, challenge: str) -> dict[str, Any]:
        """Options for navigator.credentials.get() naming the account's keys."""
        from webauthn import generate_authentication_options
        from webauthn.helpers.structs import UserVerificationRequirement

        options = generate_authentication_options(
            rp_id=self.rp_id, challenge=credential_json.b64url(challenge, "c"), timeout=TIMEOUT_MS,
            allow_credentials=[_descriptor(k) for k in await self.store.list_keys(user_id)],
            user_verification=UserVerificationRequirement.DISCOURAGED)
        return _options(options)

    async def reauth_options(self, me: User, session: Session) -> dict[str, Any]:
        challenge = new_challenge()
        await self._hold("reauth", session, challenge)
        return await self.assertion_options(me.id, challenge)

    async def reauth_challenge(self, session: Session) -> str:
        return credential_json.encode(await self._take("reauth", session))

    async def verify(self, user: User, credential: dict[str, Any], challenge: str, address: str | None) -> bool:
        """True when `credential` is a valid assertion by one of `user`'s keys
        for `challenge`, recorded as used. False (the caller, service.py,
        counts it toward the login limiter) for anything else well-formed;
        400 invalid_credential for malformed input."""
        from webauthn import verify_authentication_response

        parsed = credential_json.assertion(credential)
        key = await self.store.find_key(parsed.id)
        if key is None or key.user_id != user.id:
            return False  # unknown, or someone else's: told apart from a bad signature nowhere
        try:
            # The counter is judged below, after the signature: a count gone back on a
            # valid signature is a cloned key, not a garbled answer.
            verified = verify_authentication_response(
                credential=parsed, expected_challenge=credential_json.b64url(challenge, "challenge"),
                expected_rp_id=self.rp_id, expected_origin=self.origin,
                credential_public_key=credential_json.b64url(key.public_key, "public key"),
                credential_current_sign_count=0)
        except _refused() as err:
            log.warning("security key refused: account %r (%s)", user.username, err)
            return False
        counted = verified.new_sign_count > 0 or key.sign_count > 0
        if counted and verified.new_sign_count <= key.sign_count:
            log.warning("security key %s of account %r: signature counter went back (%d after %d): cloned?",
                        key.id, user.username, verified.new_sign_count, key.sign_count)
            await self.activity.record(user.id, "security_key_cloned", Where(address=address), detail=key.name)
            return False
        # Atomic: a racing request with the same assertion (same challenge) loses here.
        return await self.store.use_key(user.id, key.credential_id, verified.new_sign_count, challenge, clock.now())
