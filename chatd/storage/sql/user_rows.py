"""Reading users back from SQL rows: shared by the user and auth adapters."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from chatd.clock import from_ms
from chatd.domain import DeviceKey, User
from chatd.storage.sql.db import Conn, Row

USER_FIELDS = (
    "id", "username", "display_name", "avatar", "bio", "status_text", "role", "disabled",
    "preferences", "created_at", "updated_at", "last_seen_at", "version",
)
USER_COLUMNS = ", ".join(USER_FIELDS)
KEY_COLUMNS = "user_id, device_id, x25519, ed25519, sig, created_at"

# PostgreSQL: serializes the few writes whose rule spans several user rows
# (first user becomes admin, never lose the last admin). SQLite has one writer.
USERS_LOCK = 0x75736572  # "user"


async def lock_users(conn: Conn) -> None:
    if conn.dialect == "postgres":
        await conn.execute("SELECT pg_advisory_xact_lock($1)", USERS_LOCK)


def key_of(row: Row, prefix: str = "") -> DeviceKey:
    return DeviceKey(
        device_id=row[f"{prefix}device_id"],
        x25519=row[f"{prefix}x25519"],
        ed25519=row[f"{prefix}ed25519"],
        sig=row[f"{prefix}sig"],
        created_at=from_ms(row[f"{prefix}created_at"]),
    )


def user_of(row: Row, keys: list[DeviceKey]) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        avatar=row["avatar"],
        bio=row["bio"],
        status_text=row["status_text"],
        role=row["role"],
        disabled=bool(row["disabled"]),
        preferences=msgspec.json.decode(row["preferences"]),
        keys=keys,
        created_at=from_ms(row["created_at"]),
        updated_at=from_ms(row["updated_at"]),
        last_seen_at=from_ms(row["last_seen_at"]),
        version=row["version"],
    )


async def users_of(conn: Conn, rows: Sequence[Row]) -> list[User]:
    """Users for `rows`, each with its device keys (one extra query in all)."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    marks = ", ".join(f"${i}" for i in range(1, len(ids) + 1))
    key_rows = await conn.fetch(
        f"SELECT {KEY_COLUMNS} FROM device_keys WHERE user_id IN ({marks}) ORDER BY created_at, device_id", *ids
    )
    keys: dict[str, list[DeviceKey]] = {}
    for k in key_rows:
        keys.setdefault(k["user_id"], []).append(key_of(k))
    return [user_of(r, keys.get(r["id"], [])) for r in rows]


async def fetch_user(conn: Conn, user_id: str) -> User | None:
    row = await conn.fetchrow(f"SELECT {USER_COLUMNS} FROM users WHERE id = $1", user_id)
    return (await users_of(conn, [row]))[0] if row else None
