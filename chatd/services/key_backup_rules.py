"""The shape of an end-to-end encryption key backup (docs/e2ee.md, Key
backup). The server cannot open a backup; it checks that what it stores is
one a client can try to open: known KDF, parameters in a sane range (a
restoring client would otherwise be told to spend gigabytes or hours),
base64 of the right lengths.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from chatd.errors import Invalid

B64 = Annotated[str, Meta(min_length=4, max_length=128)]
MAX_CIPHERTEXT_CHARS = 65_536  # base64; room for hundreds of devices' keys


class Argon2id(msgspec.Struct, tag="argon2id", tag_field="name", forbid_unknown_fields=True, kw_only=True):
    """Argon2id v1.3, parallelism 1, 32-byte output."""

    ops: Annotated[int, Meta(ge=1, le=10)]
    mem_kib: Annotated[int, Meta(ge=8_192, le=1_048_576)]
    salt: Annotated[B64, Meta(description="base64 of 16 to 64 random bytes")]


class Pbkdf2Sha256(msgspec.Struct, tag="pbkdf2-sha256", tag_field="name", forbid_unknown_fields=True, kw_only=True):
    """PBKDF2-HMAC-SHA256, 32-byte output."""

    iterations: Annotated[int, Meta(ge=100_000, le=10_000_000)]
    salt: Annotated[B64, Meta(description="base64 of 16 to 64 random bytes")]


class KeyBackupIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """PUT /me/key-backup: the device private keys, encrypted by the client."""

    v: Literal[1]
    kdf: Argon2id | Pbkdf2Sha256
    nonce: Annotated[B64, Meta(description="base64 of the 24-byte secretbox nonce")]
    ciphertext: Annotated[str, Meta(min_length=4, max_length=MAX_CIPHERTEXT_CHARS,
                                    description="base64 of secretbox(JSON {devices: [...]}, nonce, key)")]


class KeyBackup(KeyBackupIn, kw_only=True):
    """The stored backup, as GET and PUT answer it."""

    updated_at: str  # ISO 8601, UTC


def _bytes(name: str, raw: str, low: int, high: int) -> None:
    try:
        n = len(base64.b64decode(raw, validate=True))
    except (binascii.Error, ValueError):
        n = -1
    if not low <= n <= high:
        size = f"{low}" if low == high else f"{low} to {high}"
        raise Invalid(f"{name} must be the base64 of {size} bytes.", code="invalid_key_backup",
                      extra={"field": name})


def check(backup: KeyBackupIn) -> KeyBackupIn:
    """The backup, or Invalid(code="invalid_key_backup") naming the bad field."""
    _bytes("kdf.salt", backup.kdf.salt, 16, 64)
    _bytes("nonce", backup.nonce, 24, 24)
    _bytes("ciphertext", backup.ciphertext, 17, MAX_CIPHERTEXT_CHARS)  # at least the 16-byte MAC and a byte
    return backup
