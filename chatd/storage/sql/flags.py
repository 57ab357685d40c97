"""Feature flag states in SQL: one row per flag an admin changed."""

from __future__ import annotations

import msgspec

from chatd.domain.flags import FlagState
from chatd.storage.ports.flags import StoredFlag
from chatd.storage.sql.db import Conn, Database


class SqlFlagStore:
    def __init__(self, db: Database):
        self.db = db

    async def all(self) -> dict[str, StoredFlag]:
        async def run(conn: Conn) -> dict[str, StoredFlag]:
            rows = await conn.fetch("SELECT name, state, updated_by, updated_at FROM feature_flags")
            return {
                r["name"]: StoredFlag(name=r["name"], state=msgspec.json.decode(r["state"], type=FlagState),
                                      updated_by=r["updated_by"], updated_at=r["updated_at"])
                for r in rows
            }

        return await self.db.read(run)

    async def put(self, flag: StoredFlag) -> None:
        async def run(conn: Conn) -> None:
            await conn.execute(
                "INSERT INTO feature_flags (name, state, updated_by, updated_at) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated_by = excluded.updated_by,"
                " updated_at = excluded.updated_at",
                flag.name, msgspec.json.encode(flag.state).decode(), flag.updated_by, flag.updated_at,
            )

        await self.db.write(run)

    async def delete(self, name: str) -> bool:
        async def run(conn: Conn) -> bool:
            return await conn.execute("DELETE FROM feature_flags WHERE name = $1", name) > 0

        return await self.db.write(run)
