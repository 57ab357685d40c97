"""Ed25519 signature checks of a device's published keys (docs/e2ee.md,
Devices): the one place the server's rules reach PyNaCl for it."""

from __future__ import annotations


def valid(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when `signature` is the Ed25519 signature of `message` by `public_key`."""
    from nacl.exceptions import BadSignatureError, CryptoError
    from nacl.signing import VerifyKey  # PyNaCl: only loaded when a device publishes keys

    try:
        VerifyKey(public_key).verify(message, signature)
    except (BadSignatureError, CryptoError, ValueError, TypeError):
        return False
    return True
