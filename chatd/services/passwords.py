"""Password hashing: argon2id (argon2-cffi) over HMAC-SHA256 with a server
secret (the pepper, ASVS 2.4.5), off the event loop.

A stolen database alone then allows no offline guessing: each guess needs
the pepper, which lives in a file beside the server, never in the database
(chatd/pepper_file.py). Peppered hashes say so and name the pepper by its id:
    $pepper-hmac-sha256$k=<pepper id>$argon2id$v=19$m=...,t=...,p=...$salt$hash
Hashes made before the pepper (plain `$argon2id$...`) still verify and are
upgraded on the owner's next successful sign-in (`needs_rehash`).

Production uses argon2-cffi's defaults (t=3, m=64 MiB, p=4). Tests set
CHATD_ARGON2_FAST=1 for tiny parameters so hundreds of registrations stay
quick; hashes made that way are upgraded by `needs_rehash` on a later login
under the real parameters.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12  # ASVS 2.1.1: counted after runs of spaces are made one
MAX_LENGTH = 1024
SCHEME = "$pepper-hmac-sha256$k="

log = logging.getLogger("chatd.auth")


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


def pepper_id(pepper: bytes) -> str:
    """Names a pepper in hashes and in the database without revealing it."""
    return hmac.new(pepper, b"chatd pepper id", hashlib.sha256).hexdigest()[:16]


def _split(password_hash: str) -> tuple[str | None, str]:
    """(pepper id or None for a hash made before the pepper, the argon2 hash)."""
    if not password_hash.startswith(SCHEME):
        return None, password_hash
    kid, _, inner = password_hash[len(SCHEME):].partition("$")
    return kid, "$" + inner


class Passwords:
    """Hashes and checks passwords with one pepper (32+ random bytes)."""

    def __init__(self, pepper: bytes):
        self.pepper = pepper
        self.pepper_id = pepper_id(pepper)

    def _peppered(self, password: str) -> bytes:
        return hmac.new(self.pepper, normalize(password).encode(), hashlib.sha256).digest()

    def _hash(self, password: str) -> str:
        return f"{SCHEME}{self.pepper_id}{hasher().hash(self._peppered(password))}"

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        kid, inner = _split(password_hash) if password_hash is not None else (self.pepper_id, _dummy_hash())
        if kid is not None and kid != self.pepper_id:
            # Start-up refuses a pepper the database was not made with; this
            # is one hash from elsewhere (a copied row): never a silent match.
            log.error("a password hash names pepper %s, this server has %s: sign-in refused", kid[:16], self.pepper_id)
            kid, inner = self.pepper_id, _dummy_hash()  # spend the same time
            password_hash = None
        secret = self._peppered(password) if kid is not None else normalize(password)
        try:
            ok = hasher().verify(inner, secret)
        except (VerificationError, InvalidHashError):
            return False
        return ok and password_hash is not None

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; `password_hash=None` spends the same time and fails."""
        return await asyncio.to_thread(self._verify, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        """True for a hash made before the pepper or with weaker parameters."""
        kid, inner = _split(password_hash)
        if kid != self.pepper_id:
            return True
        try:
            return hasher().check_needs_rehash(inner)
        except InvalidHashError:
            return True
