"""One-time recovery codes: ten per enrolment, each usable once.

A code is 16 base32 characters (80 random bits), shown as
`xxxx-xxxx-xxxx-xxxx`. Only a sha256 of the user id and the code is
stored: like API tokens the codes are random and long enough that a fast
hash is safe offline, and online guesses go through the login limiter.
"""

from __future__ import annotations

import base64
import secrets

from chatd.services.tokens import digest

COUNT = 10
LENGTH = 16
_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz234567")


def new_codes() -> list[str]:
    return [_shown(base64.b32encode(secrets.token_bytes(10)).decode().lower()) for _ in range(COUNT)]


def _shown(text: str) -> str:
    return "-".join(text[i:i + 4] for i in range(0, LENGTH, 4))


def normalise(code: str) -> str | None:
    """The canonical form of a typed code (any case, spaces or dashes), or None."""
    text = "".join(ch for ch in code.strip().lower() if ch not in " -")
    if len(text) != LENGTH or not set(text) <= _ALPHABET:
        return None
    return _shown(text)


def code_hash(user_id: str, code: str) -> str:
    return digest(f"chatd-recovery:{user_id}:{code}")
