"""Feature flags: the states an admin set at run time (chatd/flags.py names them).

`state` is the FlagState as JSON ({"percent", "users", "roles"}): one small
row per changed flag, read whole at start and on every change.
"""

from chatd.storage.sql.ddl_migration import ddl_steps

ID = "2026-12-06T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "feature flags"

STATEMENTS = [
    "CREATE TABLE feature_flags (name TEXT PRIMARY KEY, state TEXT NOT NULL, updated_by TEXT NOT NULL,"
    " updated_at BIGINT NOT NULL)",
]


async def forwards():
    return ddl_steps(ID, DESCRIPTION, STATEMENTS)
