"""Users in SQL, the admin side: listing, disabling, roles, counts.

`SqlUserStore` (users.py) inherits these; split out only to keep files short.
"""

from __future__ import annotations

from typing import Any

from chatd import clock
from chatd.domain import Role, User
from chatd.errors import Conflict
from chatd.storage.sql.db import Conn, Database
from chatd.storage.sql.events import append_event
from chatd.storage.sql.user_rows import USER_COLUMNS, fetch_user, lock_users, users_of


def like(text: str) -> str:
    """`text` as a literal inside a LIKE pattern (ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def changed(conn: Conn, user_id: str) -> User:
    """The user as it now is, announced to its owner's devices."""
    user = await fetch_user(conn, user_id)
    assert user is not None
    await append_event(conn, "user.updated", user, user_id=user_id)
    return user


async def bump(conn: Conn, user_id: str, sets: str = "", *args: Any) -> bool:
    """version + 1 (and `sets`, placeholders from $3) on one user: takes its row lock."""
    extra = f", {sets}" if sets else ""
    n = await conn.execute(
        f"UPDATE users SET version = version + 1, updated_at = $2{extra} WHERE id = $1",
        user_id, clock.to_ms(clock.now()), *args,
    )
    return n > 0


async def other_admins(conn: Conn, user_id: str) -> int:
    return await conn.fetchval(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1", user_id
    )


class SqlUserAdmin:
    db: Database

    async def list(self, *, query: str = "", after: str = "", limit: int = 100) -> list[User]:
        async def run(c: Conn) -> list[User]:
            rows = await c.fetch(
                f"SELECT {USER_COLUMNS} FROM users WHERE username > $1"
                " AND (username LIKE $2 ESCAPE '\\' OR lower(display_name) LIKE $2 ESCAPE '\\')"
                " ORDER BY username LIMIT $3",
                after, "%" + like(query.lower()) + "%", limit,
            )
            return await users_of(c, rows)

        return await self.db.read(run)

    async def set_disabled(self, user_id: str, disabled: bool) -> User | None:
        async def run(c: Conn) -> User | None:
            await lock_users(c)
            row = await c.fetchrow("SELECT role, disabled, deleted_at FROM users WHERE id = $1", user_id)
            if row is None:
                return None
            if row["deleted_at"] is not None:
                raise Conflict("This account was deleted; it cannot come back.", code="account_deleted")
            if disabled and row["role"] == "admin" and not row["disabled"] and not await other_admins(c, user_id):
                raise Conflict("The last admin cannot be disabled.", code="last_admin")
            await bump(c, user_id, "disabled = $3", disabled)
            return await changed(c, user_id)

        return await self.db.write(run)

    async def set_role(self, user_id: str, role: Role) -> User | None:
        async def run(c: Conn) -> User | None:
            await lock_users(c)
            row = await c.fetchrow("SELECT role, disabled FROM users WHERE id = $1", user_id)
            if row is None:
                return None
            if role != "admin" and row["role"] == "admin" and not row["disabled"] and not await other_admins(c, user_id):
                raise Conflict("The last admin cannot be demoted.", code="last_admin")
            await bump(c, user_id, "role = $3", role)
            return await changed(c, user_id)

        return await self.db.write(run)

    async def counts(self) -> dict[str, int]:
        async def run(c: Conn) -> dict[str, int]:
            row = await c.fetchrow(
                "SELECT COUNT(*) AS users, COALESCE(SUM(CASE WHEN role = 'admin' THEN 1 ELSE 0 END), 0) AS admins,"
                " COALESCE(SUM(CASE WHEN disabled THEN 1 ELSE 0 END), 0) AS disabled FROM users"
            )
            return {k: int(row[k]) for k in ("users", "admins", "disabled")}

        return await self.db.read(run)
