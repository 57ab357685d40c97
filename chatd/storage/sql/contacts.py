"""Contacts in SQL: one row per side of the relation."""

from __future__ import annotations

from chatd.clock import from_ms
from chatd.domain import Contact
from chatd.storage.sql.db import Conn, Database, Row

CONTACT_COLUMNS = "owner_id, user_id, status, alias, note, created_at, updated_at"


def contact_of(row: Row) -> Contact:
    return Contact(
        owner_id=row["owner_id"],
        user_id=row["user_id"],
        status=row["status"],
        alias=row["alias"],
        note=row["note"],
        created_at=from_ms(row["created_at"]),
        updated_at=from_ms(row["updated_at"]),
    )


async def fetch_contact(conn: Conn, owner_id: str, user_id: str) -> Contact | None:
    row = await conn.fetchrow(
        f"SELECT {CONTACT_COLUMNS} FROM contacts WHERE owner_id = $1 AND user_id = $2", owner_id, user_id
    )
    return contact_of(row) if row else None


class SqlContactStore:
    def __init__(self, db: Database):
        self.db = db

    async def get(self, owner_id: str, user_id: str) -> Contact | None:
        return await self.db.read(lambda c: fetch_contact(c, owner_id, user_id))
