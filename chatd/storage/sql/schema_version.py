"""The schema version check that runs at every start, without piccolo.

piccolo records every migration it ran in its `migration` table: that is the
store's schema version. Reading it needs one query; importing piccolo's
migration machinery costs ~0.15 s and ~10 MB (it pulls in black, yaml...),
so start-up only imports it when a migration is actually due.
"""

from __future__ import annotations

import re
from pathlib import Path

from chatd.storage.sql.db import Conn, Database

APP = "chatd"
MIGRATIONS = Path(__file__).parent / "migrations"
_ID = re.compile(r'^ID = "([^"]+)"', re.MULTILINE)


class SchemaTooNew(Exception):
    pass


def shipped_ids() -> list[str]:
    """Ids of the migrations this chatd ships, oldest first."""
    found = (_ID.search(p.read_text(encoding="utf-8")) for p in MIGRATIONS.glob("*.py"))
    return sorted(m.group(1) for m in found if m)


async def _applied(conn: Conn) -> list[str]:
    if conn.dialect == "sqlite":
        exists = await conn.fetchval("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migration'")
    else:
        exists = await conn.fetchval("SELECT to_regclass('migration') IS NOT NULL")
    if not exists:
        return []
    rows = await conn.fetch("SELECT name FROM migration WHERE app_name = $1", APP)
    return sorted(r["name"] for r in rows)


async def applied_ids(db: Database) -> list[str]:
    return await db.read(_applied)


def refuse_newer(applied: list[str]) -> None:
    """A migration we do not ship means a newer chatd migrated the database,
    and running on it could corrupt data."""
    newer = sorted(set(applied) - set(shipped_ids()))
    if newer:
        raise SchemaTooNew(
            f"the database schema has migrations this chatd does not know ({', '.join(newer)}): "
            "it was migrated by a newer chatd; upgrade chatd instead"
        )


async def pending(db: Database) -> bool:
    """True when a migration is due; raises SchemaTooNew for a newer schema."""
    applied = await applied_ids(db)
    refuse_newer(applied)
    return bool(set(shipped_ids()) - set(applied))
