"""TOTP secrets at rest: sealed with auth.second_factor_key when it is set.

XChaCha20-Poly1305 (chatd/keys/crypto.py), with the user id as associated
data: a sealed secret copied onto another account's row does not open.
Stored text says which form it is in ("v1:" sealed, "plain:" not), so
setting the key later keeps older enrolments readable, as media does with
media.encryption_key. The key itself is held by the key ring (this process,
or the key process: chatd/keys/), never here; the format of secrets sealed
before the key process existed is the same, so they open either way.

Rotation (ASVS 6.4.1): the key replaced goes to
auth.second_factor_previous_keys. New secrets are sealed with the current
key; a stored one opens with whichever configured key sealed it (an AEAD
tag tells them apart: the wrong key fails, never yields garbage). `chatd
reseal` seals every secret with the current key, after which the previous
keys can go; start-up refuses a database holding a secret that no
configured key opens (reseal.py), so dropping a key too early loses nothing.
"""

from __future__ import annotations

from chatd.errors import StorageFailed
from chatd.keys.ring import KeyRing

SEALED, PLAIN = "v1:", "plain:"


class SecretSealer:
    def __init__(self, ring: KeyRing):
        self.ring = ring

    @property
    def has_key(self) -> bool:
        return self.ring.info.factor_keys > 0

    async def seal(self, user_id: str, secret: str) -> str:
        return await self.ring.seal_secret(user_id, secret) if self.has_key else PLAIN + secret

    async def open(self, user_id: str, stored: str) -> str:
        if stored.startswith(PLAIN):
            return stored[len(PLAIN):]
        if not stored.startswith(SEALED) or not self.has_key:
            raise StorageFailed("A TOTP secret is sealed but auth.second_factor_key is not set.",
                                code="second_factor_key_missing")
        opened = await self.ring.open_secret(user_id, stored)
        if opened is None:
            raise StorageFailed("A TOTP secret does not open with auth.second_factor_key.",
                                code="second_factor_key_wrong")
        return opened[1]

    async def opening_key(self, user_id: str, stored: str) -> int | None:
        """Which configured key opens `stored`: 0 the current one, 1.. a
        previous one; -1 for a secret kept plain; None when none does."""
        if stored.startswith(PLAIN):
            return -1
        if not stored.startswith(SEALED) or not self.has_key:
            return None
        opened = await self.ring.open_secret(user_id, stored)
        return None if opened is None else opened[0]
