"""`chatd migrate`: apply schema migrations (safe to run twice)."""

from __future__ import annotations

import asyncio

from chatd.config import Config


def run(cfg: Config) -> int:
    from chatd.storage.sql.migrate import migrate, schema_version

    applied = asyncio.run(migrate(cfg.storage.database))
    version = asyncio.run(schema_version(cfg.storage.database))
    if applied:
        print(f"applied {len(applied)} migration(s): {', '.join(applied)}")
    print(f"schema version {version}: up to date")
    return 0
