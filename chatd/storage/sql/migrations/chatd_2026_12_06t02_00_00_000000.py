"""Feature flags: the states an admin set at run time (chatd/flags.py names them).

`state` is the FlagState as JSON ({"percent", "users", "roles"}): one small
row per changed flag, read whole at start and on every change.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "feature flags"

STATEMENTS = [
    "CREATE TABLE feature_flags (name TEXT PRIMARY KEY, state TEXT NOT NULL, updated_by TEXT NOT NULL,"
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
