"""Password hashing: argon2id (argon2-cffi), off the event loop.

Production uses argon2-cffi's defaults (t=3, m=64 MiB, p=4). Tests set
CHATD_ARGON2_FAST=1 for tiny parameters so hundreds of registrations stay
quick; hashes made that way are upgraded by `needs_rehash` on a later login
under the real parameters.
"""

from __future__ import annotations

import asyncio
import os
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12  # ASVS 2.1.1: counted after runs of spaces are made one
MAX_LENGTH = 1024


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    if os.environ.get("CHATD_ARGON2_FAST") == "1":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the username is unknown, so both cases take as long.
    return hasher().hash("no such user: this hash exists to spend the same time")


def normalize(password: str) -> str:
    # The same password typed on two keyboards may arrive in different Unicode forms.
    return unicodedata.normalize("NFC", password)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hasher().hash, normalize(password))


async def verify(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; `password_hash=None` spends the same time and fails."""
    target = password_hash if password_hash is not None else await asyncio.to_thread(_dummy_hash)
    try:
        ok = await asyncio.to_thread(hasher().verify, target, normalize(password))
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
