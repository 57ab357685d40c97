"""Port: one end-to-end encryption key backup per account.

The backup is opaque to the server: the client encrypted its device private
keys with a key derived from a recovery passphrase (docs/e2ee.md, Key
backup); the store keeps the JSON text it was given, whole, and hands it
back. Accounts live in the SQL database, so this store does too, whatever
holds the conversations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chatd.domain.base import Entity


class StoredKeyBackup(Entity, kw_only=True):
    user_id: str
    body: str  # the backup as JSON text, already validated by the service
    updated_at: datetime


class KeyBackupStore(Protocol):
    async def get(self, user_id: str) -> StoredKeyBackup | None:
        """The account's backup, or None when it has none."""
        ...

    async def put(self, user_id: str, body: str, at: datetime) -> StoredKeyBackup:
        """Store (insert or replace) the account's backup. Raises NotFound for
        an unknown user (nothing written)."""
        ...

    async def delete(self, user_id: str) -> bool:
        """Remove the account's backup; True if there was one."""
        ...
