"""Port: each account's security keys and passkeys (WebAuthn credentials),
part of the second-factor store (ports/second_factors.py).

The store keeps what the service verified: the credential id and COSE
public key as base64url text, the signature counter, transports and the
holder's name for it. A key is used atomically: its counter only goes up,
and one challenge signs in once per key, so two requests racing with one
assertion cannot both win.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chatd.domain.auth import SecurityKey

MAX_KEYS = 10  # per account


class StoredKey(SecurityKey, kw_only=True):
    """The listed view (id: chatd's own, used in URLs) and what verifies it."""

    user_id: str
    credential_id: str  # base64url, as the authenticator names it
    public_key: str  # base64url of the COSE key
    sign_count: int = 0

    def shown(self) -> SecurityKey:
        return SecurityKey(id=self.id, name=self.name, transports=self.transports, created_at=self.created_at,
                           last_used_at=self.last_used_at)


class SecurityKeyStore(Protocol):
    async def list_keys(self, user_id: str) -> list[StoredKey]:
        """Oldest first."""
        ...

    async def find_key(self, credential_id: str) -> StoredKey | None:
        """The key with this credential id, whoever holds it."""
        ...

    async def add_key(self, key: StoredKey) -> StoredKey:
        """Raises Conflict "security_key_registered" when the credential id is
        already registered (to anyone), "too_many_keys" past MAX_KEYS, NotFound
        for an unknown user; nothing written then."""
        ...

    async def rename_key(self, user_id: str, key_id: str, name: str) -> StoredKey | None:
        """None when `user_id` holds no such key."""
        ...

    async def delete_key(self, user_id: str, key_id: str) -> StoredKey | None:
        """The removed key; None when `user_id` holds no such key."""
        ...

    async def use_key(self, user_id: str, credential_id: str, sign_count: int, challenge: str, at: datetime) -> bool:
        """Record a verified use: the new counter (which must be above the
        stored one, unless both are 0: a key without a counter) and the
        challenge it answered (which must differ from the last one). False,
        nothing written, otherwise."""
        ...

    async def delete_keys(self, user_id: str) -> int:
        """Remove every key of the account (the operator's reset); how many."""
        ...
