"""End-to-end encryption, client side: each device key row keeps the
device's own Ed25519 signature of its X25519 key (docs/e2ee.md; rows from
before have none, and clients ignore such devices), and each account may
keep one key backup: an opaque, passphrase-encrypted blob of its device
private keys, which the server cannot open.
"""

from chatd.storage.sql.ddl_migration import ddl_steps

ID = "2026-12-06T20:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "device key signatures, key backups"

STATEMENTS = [
    "ALTER TABLE device_keys ADD COLUMN sig TEXT NOT NULL DEFAULT ''",
    "CREATE TABLE key_backups (user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    " body TEXT NOT NULL, updated_at BIGINT NOT NULL)",
]


async def forwards():
    return ddl_steps(ID, DESCRIPTION, STATEMENTS)
