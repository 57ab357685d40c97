"""Server settings: values an admin changed at run time (today the
registration mode), which win over chatd.toml until reset. One small row
per changed setting; updated_at in ms since the epoch.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "server settings"

STATEMENTS = [
    "CREATE TABLE server_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_by TEXT NOT NULL,"
    " updated_at BIGINT NOT NULL)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="chatd", description=DESCRIPTION)

    async def change_schema():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(change_schema)
    return manager
