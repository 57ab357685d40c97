"""Bearer tokens and invite codes: random secrets, stored only as sha256.

sha256 (not argon2) is right here: a token has 256 random bits, so nothing
can be guessed, and the lookup on every request must stay one indexed read.
"""

from __future__ import annotations

import hashlib
import secrets

MAX_CHARS = 256  # longer is never one of ours: refuse before hashing


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_for(session_token: str) -> str:
    """The CSRF token bound to a cookie session: derived from its secret, so a
    page on another site can neither read nor forge it."""
    return hashlib.sha256(b"chatd-csrf:" + session_token.encode()).hexdigest()
