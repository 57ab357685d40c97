"""`chatd migrate`: apply schema migrations (safe to run twice)."""

from __future__ import annotations

import asyncio

from chatd.config import Config


def run(cfg: Config) -> int:
    from chatd.storage.sql.migrate import migrate
    from chatd.storage.sql.schema_version import shipped_ids
    from chatd.storage.tls_policy import refuse_unverified

    refuse_unverified(cfg)
    applied = asyncio.run(migrate(cfg.storage.database))
    if applied:
        print(f"applied {len(applied)} migration(s): {', '.join(applied)}")
    # migrate() refuses a newer schema, so the database is now at our newest.
    print(f"schema version {shipped_ids()[-1]}: up to date")
    return 0
