"""Key backups in SQL: one row per account (port: ports/key_backups.py)."""

from __future__ import annotations

from datetime import datetime

from chatd import clock
from chatd.errors import NotFound
from chatd.storage.ports.key_backups import StoredKeyBackup
from chatd.storage.sql.db import Conn, Database


class SqlKeyBackupStore:
    def __init__(self, db: Database):
        self.db = db

    async def get(self, user_id: str) -> StoredKeyBackup | None:
        async def run(conn: Conn) -> StoredKeyBackup | None:
            row = await conn.fetchrow("SELECT body, updated_at FROM key_backups WHERE user_id = $1", user_id)
            if row is None:
                return None
            return StoredKeyBackup(user_id=user_id, body=row["body"], updated_at=clock.from_ms(row["updated_at"]))

        return await self.db.read(run)

    async def put(self, user_id: str, body: str, at: datetime) -> StoredKeyBackup:
        async def run(conn: Conn) -> StoredKeyBackup:
            # Checked here rather than left to the foreign key: SQLite enforces
            # those only when the connection turned them on.
            if not await conn.fetchval("SELECT 1 FROM users WHERE id = $1", user_id):
                raise NotFound("No such user.")
            await conn.execute(
                "INSERT INTO key_backups (user_id, body, updated_at) VALUES ($1, $2, $3)"
                " ON CONFLICT (user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                user_id, body, clock.to_ms(at),
            )
            return StoredKeyBackup(user_id=user_id, body=body, updated_at=clock.from_ms(clock.to_ms(at)))

        return await self.db.write(run)

    async def delete(self, user_id: str) -> bool:
        async def run(conn: Conn) -> bool:
            return await conn.execute("DELETE FROM key_backups WHERE user_id = $1", user_id) > 0

        return await self.db.write(run)
