"""TOTP secrets at rest: sealed with auth.second_factor_key when it is set.

XChaCha20-Poly1305 (libsodium through PyNaCl, already used for media at
rest), with the user id as associated data: a sealed secret copied onto
another account's row does not open. Stored text says which form it is in
("v1:" sealed, "plain:" not), so setting the key later keeps older
enrolments readable, as media does with media.encryption_key.
"""

from __future__ import annotations

import base64
import os

from chatd.config import Config
from chatd.config_keys import key_of
from chatd.errors import StorageFailed

SEALED, PLAIN = "v1:", "plain:"
NONCE_BYTES = 24  # XChaCha20's; PyNaCl is imported only when a key is used (start-up stays lean)


def factor_key(config: Config) -> bytes | None:
    return key_of(config.auth.second_factor_key, "auth.second_factor_key")


class SecretSealer:
    def __init__(self, key: bytes | None):
        self.key = key

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
        if not stored.startswith(SEALED) or self.key is None:
            raise StorageFailed("A TOTP secret is sealed but auth.second_factor_key is not set.",
                                code="second_factor_key_missing")
        from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt
        from nacl.exceptions import CryptoError

        raw = base64.b64decode(stored[len(SEALED):])
        try:
            return crypto_aead_xchacha20poly1305_ietf_decrypt(raw[NONCE_BYTES:], user_id.encode(), raw[:NONCE_BYTES],
                                                              self.key).decode()
        except CryptoError:
            raise StorageFailed("A TOTP secret does not open with auth.second_factor_key.",
                                code="second_factor_key_wrong") from None
