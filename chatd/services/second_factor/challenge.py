"""The sign-in challenge: what the password step hands out when the account
has two-step sign-in, instead of a session.

A random token (only its sha256 is a key) in the short-lived store (memory,
or Redis when several processes serve: storage/cache.py), good for
CHALLENGE_SECONDS and MAX_TRIES wrong codes, and spent by the first right
one. Two requests racing with one challenge cannot both sign in with one
code: the factor store accepts each TOTP step and recovery code once, and
each security key answer to one challenge once.
"""

from __future__ import annotations

from datetime import timedelta

import msgspec

from chatd import clock
from chatd.services.tokens import MAX_CHARS, digest, new_secret
from chatd.storage.ports.expiring import ExpiringStore

CHALLENGE_SECONDS = 300
MAX_TRIES = 5


class Pending(msgspec.Struct, kw_only=True):
    user_id: str
    until_ms: int
    known: bool = False  # the password step saw a known device (login_limit.py)
    tries: int = 0
    key_challenge: str = ""  # the WebAuthn challenge offered with it (base64url), "" without security keys


class Challenges:
    def __init__(self, store: ExpiringStore):
        self.store = store

    @staticmethod
    def _key(token: str) -> str:
        return f"2fa:challenge:{digest(token)}"

    async def issue(self, user_id: str, known: bool, key_challenge: str = "") -> str:
        token = new_secret()
        until = clock.now() + timedelta(seconds=CHALLENGE_SECONDS)
        pending = Pending(user_id=user_id, until_ms=clock.to_ms(until) or 0, known=known, key_challenge=key_challenge)
        await self.store.set(self._key(token), msgspec.json.encode(pending), expires_in=CHALLENGE_SECONDS)
        return token

    async def get(self, token: str) -> Pending | None:
        """The pending sign-in, or None when unknown, spent or expired."""
        if not token or len(token) > MAX_CHARS:
            return None
        raw = await self.store.get(self._key(token))
        if raw is None:
            return None
        pending = msgspec.json.decode(raw, type=Pending)
        # Judged on chatd's clock too, not only the store's own expiry.
        return pending if (clock.to_ms(clock.now()) or 0) < pending.until_ms else None

    async def wrong(self, token: str, pending: Pending) -> None:
        """One more wrong code; the challenge ends after MAX_TRIES."""
        pending.tries += 1
        left = await self.store.expires_in(self._key(token))
        if pending.tries >= MAX_TRIES or not left or left <= 0:
            await self.spend(token)
        else:
            await self.store.set(self._key(token), msgspec.json.encode(pending), expires_in=left)

    async def spend(self, token: str) -> None:
        await self.store.delete(self._key(token))
