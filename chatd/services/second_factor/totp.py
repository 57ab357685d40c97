"""TOTP (RFC 6238 over RFC 4226 HOTP): 30 s steps, 6 digits, HMAC-SHA-1,
the parameters every authenticator app understands.

About twenty lines of hmac: pyotp would add a dependency for no gain, and
the RFC test vectors (tests/unit/test_totp.py) pin this down exactly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommended length for SHA-1
# A code of the step before or after is accepted too (clock drift, typing time).
DRIFT_STEPS = 1


def new_secret() -> str:
    """A random secret as unpadded base32, the form apps take typed in."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10 ** digits).zfill(digits)


def step_at(unix_seconds: float) -> int:
    return int(unix_seconds // STEP_SECONDS)


def code_at(secret: str, unix_seconds: float) -> str:
    return hotp(_key(secret), step_at(unix_seconds))


def matching_step(secret: str, code: str, unix_seconds: float) -> int | None:
    """The step (within the drift) whose code `code` is, else None.
    Every candidate is compared, in constant time, whatever matches."""
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    key, now, found = _key(secret), step_at(unix_seconds), None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(key, step), code) and found is None:
            found = step
    return found


def otpauth_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI authenticator apps read from a QR code."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS,
                       "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"
