"""Security events and known sign-in places in SQL (port: ports/security_activity.py)."""

from __future__ import annotations

from datetime import datetime

from chatd import clock
from chatd.domain.security_event import SecurityEvent
from chatd.storage.sql.db import Conn, Database, Row
from chatd.storage.sql.events import append_event

_COLUMNS = "id, kind, at, device, address, detail, by_whom"


def _event(row: Row) -> SecurityEvent:
    return SecurityEvent(id=row["id"], kind=row["kind"], at=clock.from_ms(row["at"]), device=row["device"],
                         address=row["address"], detail=row["detail"], by=row["by_whom"])


class SqlSecurityActivityStore:
    def __init__(self, db: Database):
        self.db = db

    async def record(self, user_id: str, event: SecurityEvent, keep: int) -> bool:
        async def run(conn: Conn) -> bool:
            # Checked here rather than left to the foreign key: SQLite enforces
            # those only when the connection turned them on.
            if not await conn.fetchval("SELECT 1 FROM users WHERE id = $1", user_id):
                return False
            await conn.execute(
                f"INSERT INTO security_events (user_id, {_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                user_id, event.id, event.kind, clock.to_ms(event.at), event.device, event.address, event.detail,
                event.by,
            )
            await conn.execute(
                "DELETE FROM security_events WHERE user_id = $1 AND id NOT IN"
                " (SELECT id FROM security_events WHERE user_id = $1 ORDER BY id DESC LIMIT $2)",
                user_id, keep,
            )
            await append_event(conn, "security.activity", event, user_id=user_id)
            return True

        return await self.db.write(run)

    async def page(self, user_id: str, before: str | None, limit: int) -> list[SecurityEvent]:
        async def run(conn: Conn) -> list[SecurityEvent]:
            rows = await conn.fetch(
                f"SELECT {_COLUMNS} FROM security_events WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
                user_id, before or "\uffff", limit,
            )
            return [_event(r) for r in rows]

        return await self.db.read(run)

    async def seen_place(self, user_id: str, place: str, at: datetime, keep: int) -> bool:
        async def run(conn: Conn) -> bool:
            if not await conn.fetchval("SELECT 1 FROM users WHERE id = $1", user_id):
                return False
            known = await conn.fetchval(
                "SELECT 1 FROM sign_in_places WHERE user_id = $1 AND place = $2", user_id, place)
            await conn.execute(
                "INSERT INTO sign_in_places (user_id, place, last_seen) VALUES ($1, $2, $3)"
                " ON CONFLICT (user_id, place) DO UPDATE SET last_seen = excluded.last_seen",
                user_id, place, clock.to_ms(at),
            )
            await conn.execute(
                "DELETE FROM sign_in_places WHERE user_id = $1 AND place NOT IN"
                " (SELECT place FROM sign_in_places WHERE user_id = $1 ORDER BY last_seen DESC, place LIMIT $2)",
                user_id, keep,
            )
            return not known

        return await self.db.write(run)
