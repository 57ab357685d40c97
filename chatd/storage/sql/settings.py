"""Server settings in SQL: one row per value an admin changed."""

from __future__ import annotations

from chatd import clock
from chatd.clock import to_ms
from chatd.storage.sql.db import Conn, Database


class SqlSettingsStore:
    def __init__(self, db: Database):
        self.db = db

    async def get(self, name: str) -> str | None:
        async def run(conn: Conn) -> str | None:
            return await conn.fetchval("SELECT value FROM server_settings WHERE name = $1", name)

        return await self.db.read(run)

    async def put(self, name: str, value: str, *, updated_by: str) -> None:
        at = to_ms(clock.now())

        async def run(conn: Conn) -> None:
            await conn.execute(
                "INSERT INTO server_settings (name, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,"
                " updated_at = excluded.updated_at",
                name, value, updated_by, at,
            )

        await self.db.write(run)

    async def delete(self, name: str) -> bool:
        async def run(conn: Conn) -> bool:
            return await conn.execute("DELETE FROM server_settings WHERE name = $1", name) > 0

        return await self.db.write(run)
