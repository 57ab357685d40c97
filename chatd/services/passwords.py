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
import logging
import os
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from chatd.keys.ring import KeyRing

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


def _split(password_hash: str) -> tuple[str | None, str]:
    """(pepper id or None for a hash made before the pepper, the argon2 hash)."""
    if not password_hash.startswith(SCHEME):
        return None, password_hash
    kid, _, inner = password_hash[len(SCHEME):].partition("$")
    return kid, "$" + inner


class Passwords:
    """Hashes and checks passwords with one pepper (32+ random bytes), which
    only the key ring holds: here, or in the key process (chatd/keys/)."""

    def __init__(self, ring: KeyRing):
        self.ring = ring
        self.pepper_id = ring.info.pepper_id

    async def _peppered(self, password: str) -> bytes:
        return await self.ring.pepper(normalize(password).encode())

    async def hash(self, password: str) -> str:
        secret = await self._peppered(password)
        return f"{SCHEME}{self.pepper_id}{await asyncio.to_thread(hasher().hash, secret)}"

    def _check(self, inner: str, secret: bytes | str) -> bool:
        try:
            return hasher().verify(inner, secret)
        except (VerificationError, InvalidHashError):
            return False

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; `password_hash=None` spends the same time and fails."""
        kid, inner = _split(password_hash) if password_hash is not None else (self.pepper_id, _dummy_hash())
        if kid is not None and kid != self.pepper_id:
            # Start-up refuses a pepper the database was not made with; this
            # is one hash from elsewhere (a copied row): never a silent match.
            log.error("a password hash names pepper %s, this server has %s: sign-in refused", kid[:16], self.pepper_id)
            kid, inner = self.pepper_id, _dummy_hash()  # spend the same time
            password_hash = None
        # The pepper first (the key process may be away: 503, nothing checked).
        secret = await self._peppered(password) if kid is not None else normalize(password)
        ok = await asyncio.to_thread(self._check, inner, secret)
        return ok and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        """True for a hash made before the pepper or with weaker parameters."""
        kid, inner = _split(password_hash)
        if kid != self.pepper_id:
            return True
        try:
            return hasher().check_needs_rehash(inner)
        except InvalidHashError:
            return True
