"""Key backups: store, return and remove the one opaque, passphrase-encrypted
backup of an account's device private keys. The server never sees the
passphrase or a key: it checks the shape (key_backup_rules) and keeps it.
Not part of the User, so no `user.updated`: only the owner's own clients
read it, when restoring."""

from __future__ import annotations

import msgspec

from chatd import clock
from chatd.domain import User
from chatd.errors import NotFound
from chatd.services.key_backup_rules import KeyBackup, KeyBackupIn, check
from chatd.storage.ports.key_backups import KeyBackupStore, StoredKeyBackup

_decode = msgspec.json.Decoder(KeyBackupIn)


def _view(stored: StoredKeyBackup) -> KeyBackup:
    backup = _decode.decode(stored.body)
    fields = {f: getattr(backup, f) for f in backup.__struct_fields__}
    return KeyBackup(**fields, updated_at=stored.updated_at.isoformat().replace("+00:00", "Z"))


class KeyBackups:
    def __init__(self, store: KeyBackupStore):
        self.store = store

    async def get(self, me: User) -> KeyBackup:
        stored = await self.store.get(me.id)
        if stored is None:
            raise NotFound("No key backup for this account.")
        return _view(stored)

    async def put(self, me: User, backup: KeyBackupIn) -> KeyBackup:
        body = msgspec.json.encode(check(backup)).decode()
        return _view(await self.store.put(me.id, body, clock.now()))

    async def delete(self, me: User) -> None:
        if not await self.store.delete(me.id):
            raise NotFound("No key backup for this account.")
