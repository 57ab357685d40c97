"""Contacts in SQL: one row per side of the relation."""

from __future__ import annotations

from collections.abc import Collection

from chatd.clock import from_ms, to_ms
from chatd.domain import Contact
from chatd.storage.ports.contacts import ContactPair, Decide
from chatd.storage.sql.db import Conn, Database, Row
from chatd.storage.sql.events import append_event

CONTACT_COLUMNS = "owner_id, user_id, status, alias, note, created_at, updated_at"

# PostgreSQL: both sides of a relation may not exist yet, so there is no row to
# lock; a transaction-scoped advisory lock on the pair orders concurrent
# changes instead (two-int key space, distinct from the event log's bigint one).
PAIR_LOCK_SPACE = 0x636F6E74  # "cont"


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


async def _store_side(conn: Conn, owner_id: str, user_id: str, old: Contact | None, new: Contact | None) -> None:
    if new == old:
        return
    if new is None:
        await conn.execute("DELETE FROM contacts WHERE owner_id = $1 AND user_id = $2", owner_id, user_id)
        await append_event(conn, "contact.removed", {"owner_id": owner_id, "user_id": user_id}, user_id=owner_id)
        return
    if (new.owner_id, new.user_id) != (owner_id, user_id):
        raise ValueError("a decided contact must keep its owner and user")
    await conn.execute(
        f"INSERT INTO contacts ({CONTACT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (owner_id, user_id) DO UPDATE SET status = excluded.status, alias = excluded.alias,"
        " note = excluded.note, updated_at = excluded.updated_at",
        new.owner_id,
        new.user_id,
        new.status,
        new.alias,
        new.note,
        to_ms(new.created_at),
        to_ms(new.updated_at),
    )
    await append_event(conn, "contact.updated", new, user_id=owner_id)


class SqlContactStore:
    def __init__(self, db: Database):
        self.db = db

    async def get(self, owner_id: str, user_id: str) -> Contact | None:
        return await self.db.read(lambda c: fetch_contact(c, owner_id, user_id))

    async def list(self, owner_id: str) -> list[Contact]:
        async def run(c: Conn) -> list[Contact]:
            rows = await c.fetch(
                f"SELECT {CONTACT_COLUMNS} FROM contacts WHERE owner_id = $1 ORDER BY updated_at DESC, user_id",
                owner_id,
            )
            return [contact_of(r) for r in rows]

        return await self.db.read(run)

    async def change(self, owner_id: str, user_id: str, decide: Decide) -> tuple[ContactPair, ContactPair]:
        async def run(c: Conn) -> tuple[ContactPair, ContactPair]:
            if c.dialect == "postgres":
                key = ":".join(sorted((owner_id, user_id)))
                await c.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", PAIR_LOCK_SPACE, key)
            before = ContactPair(
                mine=await fetch_contact(c, owner_id, user_id), theirs=await fetch_contact(c, user_id, owner_id)
            )
            after = decide(before)
            await _store_side(c, owner_id, user_id, before.mine, after.mine)
            await _store_side(c, user_id, owner_id, before.theirs, after.theirs)
            return before, after

        return await self.db.write(run)

    async def blocked_between(self, a: str, b: str) -> bool:
        async def run(c: Conn) -> bool:
            found = await c.fetchval(
                "SELECT 1 FROM contacts WHERE status = 'blocked'"
                " AND ((owner_id = $1 AND user_id = $2) OR (owner_id = $2 AND user_id = $1))",
                a,
                b,
            )
            return found is not None

        return await self.db.read(run)

    async def blockers_among(self, user_id: str, others: Collection[str]) -> set[str]:
        ids = list(dict.fromkeys(others))
        if not ids:
            return set()

        async def run(c: Conn) -> set[str]:
            marks = ", ".join(f"${i}" for i in range(2, len(ids) + 2))
            rows = await c.fetch(
                f"SELECT owner_id FROM contacts WHERE user_id = $1 AND status = 'blocked' AND owner_id IN ({marks})",
                user_id,
                *ids,
            )
            return {r["owner_id"] for r in rows}

        return await self.db.read(run)
