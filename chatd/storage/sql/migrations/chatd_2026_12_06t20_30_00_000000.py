"""End-to-end encryption, client side: each device key row keeps the
device's own Ed25519 signature of its X25519 key (docs/e2ee.md; rows from
before have none, and clients ignore such devices), and each account may
keep one key backup: an opaque, passphrase-encrypted blob of its device
private keys, which the server cannot open.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T20:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "device key signatures, key backups"

STATEMENTS = [
    "ALTER TABLE device_keys ADD COLUMN sig TEXT NOT NULL DEFAULT ''",
    "CREATE TABLE key_backups (user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    " body TEXT NOT NULL, updated_at BIGINT NOT NULL)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="chatd", description=DESCRIPTION)

    async def change_schema():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(change_schema)
    return manager
