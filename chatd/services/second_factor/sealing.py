"""TOTP secrets at rest: sealed with auth.second_factor_key when it is set.

XChaCha20-Poly1305 (libsodium through PyNaCl, already used for media at
rest), with the user id as associated data: a sealed secret copied onto
another account's row does not open. Stored text says which form it is in
("v1:" sealed, "plain:" not), so setting the key later keeps older
enrolments readable, as media does with media.encryption_key.

Rotation (ASVS 6.4.1): the key replaced goes to
auth.second_factor_previous_keys. New secrets are sealed with the current
key; a stored one opens with whichever configured key sealed it (an AEAD
tag tells them apart: the wrong key fails, never yields garbage). `chatd
reseal` seals every secret with the current key, after which the previous
keys can go; start-up refuses a database holding a secret that no
configured key opens (reseal.py), so dropping a key too early loses nothing.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence

from chatd.config import Config
from chatd.config_keys import key_of, previous_keys_of
from chatd.errors import StorageFailed

SEALED, PLAIN = "v1:", "plain:"
NONCE_BYTES = 24  # XChaCha20's; PyNaCl is imported only when a key is used (start-up stays lean)


def factor_key(config: Config) -> bytes | None:
    return key_of(config.auth.second_factor_key, "auth.second_factor_key")


def previous_keys(config: Config) -> list[bytes]:
    """auth.second_factor_previous_keys, decoded (rotation: they only open)."""
    return previous_keys_of(config.auth.second_factor_previous_keys, "auth.second_factor_previous_keys",
                            factor_key(config), "auth.second_factor_key")


def sealer_of(config: Config) -> SecretSealer:
    return SecretSealer(factor_key(config), previous_keys(config))


class SecretSealer:
    def __init__(self, key: bytes | None, previous: Sequence[bytes] = ()):
        self.key = key
        self.keys = ([key] if key is not None else []) + [k for k in previous if k != key]

    def seal(self, user_id: str, secret: str) -> str:
        if self.key is None:
            return PLAIN + secret
        from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_encrypt

        nonce = os.urandom(NONCE_BYTES)
        box = crypto_aead_xchacha20poly1305_ietf_encrypt(secret.encode(), user_id.encode(), nonce, self.key)
        return SEALED + base64.b64encode(nonce + box).decode()

    def open(self, user_id: str, stored: str) -> str:
        if stored.startswith(PLAIN):
            return stored[len(PLAIN):]
        if not stored.startswith(SEALED) or not self.keys:
            raise StorageFailed("A TOTP secret is sealed but auth.second_factor_key is not set.",
                                code="second_factor_key_missing")
        opened = self._open(user_id, stored)
        if opened is None:
            raise StorageFailed("A TOTP secret does not open with auth.second_factor_key.",
                                code="second_factor_key_wrong")
        return opened[1]

    def opening_key(self, user_id: str, stored: str) -> int | None:
        """Which configured key opens `stored`: 0 the current one, 1.. a
        previous one; -1 for a secret kept plain; None when none does."""
        if stored.startswith(PLAIN):
            return -1
        opened = self._open(user_id, stored) if stored.startswith(SEALED) else None
        return None if opened is None else opened[0]

    def _open(self, user_id: str, stored: str) -> tuple[int, str] | None:
        from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt
        from nacl.exceptions import CryptoError

        try:
            raw = base64.b64decode(stored[len(SEALED):], validate=True)
        except ValueError:
            return None
        for index, key in enumerate(self.keys):
            try:
                return index, crypto_aead_xchacha20poly1305_ietf_decrypt(
                    raw[NONCE_BYTES:], user_id.encode(), raw[:NONCE_BYTES], key).decode()
            except CryptoError:
                continue
        return None
