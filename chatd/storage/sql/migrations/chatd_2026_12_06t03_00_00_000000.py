"""Server settings: values an admin changed at run time (today the
registration mode), which win over chatd.toml until reset. One small row
per changed setting; updated_at in ms since the epoch.
"""

from chatd.storage.sql.ddl_migration import ddl_steps

ID = "2026-12-06T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "server settings"

STATEMENTS = [
    "CREATE TABLE server_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_by TEXT NOT NULL,"
    " updated_at BIGINT NOT NULL)",
]


async def forwards():
    return ddl_steps(ID, DESCRIPTION, STATEMENTS)
