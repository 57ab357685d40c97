"""The key operations on raw keys, shared by the in-process ring and the
key process: nothing else touches a master key.

- pepper: HMAC-SHA256 of the password (services/passwords.py);
- TOTP secrets: XChaCha20-Poly1305, the user id as associated data, "v1:" text;
- media: a fresh 32-byte data key per blob, wrapped (XChaCha20-Poly1305) as
  KEY_ID bytes naming the master key (a keyed hash of it) + nonce + box;
  blobs sealed before envelopes (versions 1, 2) used the master key itself
  on each chunk, and still open here, chunk by chunk.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os


SEALED = "v1:"  # a sealed TOTP secret's text starts so
NONCE = 24
KEY_ID = 4  # a clash only means one more key tried
WRAP_AD = b"chatd media data key"
WRAPPED = KEY_ID + NONCE + 32 + 16  # a wrapped data key's length, fixed


def pepper_id(pepper: bytes) -> str:
    """Names a pepper in hashes and in the database without revealing it."""
    return hmac.new(pepper, b"chatd pepper id", hashlib.sha256).hexdigest()[:16]


def peppered(pepper: bytes, data: bytes) -> bytes:
    return hmac.new(pepper, data, hashlib.sha256).digest()


# PyNaCl is imported only when a key is used: a server without keys starts leaner.
def _seal(message: bytes, ad: bytes, nonce: bytes, key: bytes) -> bytes:
    from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_encrypt

    return crypto_aead_xchacha20poly1305_ietf_encrypt(message, ad, nonce, key)


def _open(box: bytes, ad: bytes, nonce: bytes, key: bytes) -> bytes | None:
    from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt
    from nacl.exceptions import CryptoError

    try:
        return crypto_aead_xchacha20poly1305_ietf_decrypt(box, ad, nonce, key)
    except (CryptoError, ValueError):
        return None


def seal_secret(key: bytes, user_id: str, secret: str) -> str:
    nonce = os.urandom(NONCE)
    return SEALED + base64.b64encode(nonce + _seal(secret.encode(), user_id.encode(), nonce, key)).decode()


def open_secret(keys: list[bytes], user_id: str, stored: str) -> tuple[int, str] | None:
    """(which key opened it, 0 = the current one; the secret), or None."""
    try:
        raw = base64.b64decode(stored.removeprefix(SEALED), validate=True)
    except ValueError:
        return None
    for index, key in enumerate(keys):
        opened = _open(raw[NONCE:], user_id.encode(), raw[:NONCE], key)
        if opened is not None:
            return index, opened.decode()
    return None


def media_key_id(key: bytes) -> bytes:
    """What a blob header or a wrapped key names `key` by: useless for finding the key."""
    return hashlib.blake2b(b"chatd media key id", key=key, digest_size=KEY_ID).digest()


def wrap(key: bytes, data_key: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return media_key_id(key) + nonce + _seal(data_key, WRAP_AD, nonce, key)


def unwrap(keys: list[bytes], wrapped: bytes) -> tuple[int, bytes] | None:
    """(which master key opened it, the data key), or None."""
    kid, nonce, box = wrapped[:KEY_ID], wrapped[KEY_ID:KEY_ID + NONCE], wrapped[KEY_ID + NONCE:]
    for index, key in enumerate(keys):
        opened = _open(box, WRAP_AD, nonce, key) if len(wrapped) == WRAPPED and media_key_id(key) == kid else None
        if opened is not None:
            return index, opened
    return None


def open_legacy(keys: list[bytes], version: int, prefix: bytes, nonce: bytes, sealed: bytes) -> bytes | None:
    """One chunk of a blob sealed with a master key itself (versions 1, 2):
    version 2 names its key in the prefix, version 1 is tried with each."""
    from nacl.exceptions import CryptoError
    from nacl.secret import SecretBox

    for key in keys:
        if version == 2 and media_key_id(key) != prefix[:KEY_ID]:
            continue
        try:
            return SecretBox(key).decrypt(sealed, nonce)
        except CryptoError:
            continue
    return None
