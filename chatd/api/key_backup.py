"""/api/v1/me/key-backup: the account's passphrase-encrypted E2EE key backup
(docs/e2ee.md). Opaque to the server; restoring happens in the client."""

from __future__ import annotations

from litestar import Request, delete, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from chatd.api.client_place import client_place
from chatd.api.security import Me
from chatd.services.key_backup_rules import KeyBackup, KeyBackupIn
from chatd.services.registry import Services

BODY_MAX = 128 * 1024  # the largest valid backup is ~66 KB of JSON


@get("/api/v1/me/key-backup", tags=["me"])
async def get_key_backup(me: Me, services: NamedDependency[Services]) -> KeyBackup:
    """The stored backup (404 `not_found` when the account has none)."""
    return await services.key_backups.get(me)


@put("/api/v1/me/key-backup", tags=["me"], request_max_body_size=BODY_MAX)
async def put_key_backup(request: Request, data: JSONBody[KeyBackupIn], me: Me,
                         services: NamedDependency[Services]) -> KeyBackup:
    """Store (replace) the backup: device private keys encrypted on the client
    with a key derived from the recovery passphrase."""
    backup = await services.key_backups.put(me, data)
    await services.activity.record(me.id, "key_backup_set", client_place(request, services.config))
    return backup


@delete("/api/v1/me/key-backup", status_code=204, tags=["me"])
async def delete_key_backup(request: Request, me: Me, services: NamedDependency[Services]) -> None:
    """Remove the backup (404 `not_found` when there is none)."""
    await services.key_backups.delete(me)
    await services.activity.record(me.id, "key_backup_removed", client_place(request, services.config))


KEY_BACKUP_ROUTES = [get_key_backup, put_key_backup, delete_key_backup]
