"""TOTP factors and recovery codes in SQL (port: ports/second_factors.py);
security keys are in security_keys.py.

Replays are refused by the UPDATE/DELETE conditions themselves, so two
requests racing with one code cannot both win on either engine.
"""

from __future__ import annotations

from datetime import datetime

from chatd import clock
from chatd.errors import Conflict, NotFound
from chatd.storage.ports.second_factors import StoredTotp
from chatd.storage.sql.db import Conn, Database
from chatd.storage.sql.security_keys import SqlSecurityKeys

COLUMNS = "user_id, secret, created_at, confirmed_at, last_step"


class SqlSecondFactorStore(SqlSecurityKeys):
    def __init__(self, db: Database):
        self.db = db

    async def get_totp(self, user_id: str) -> StoredTotp | None:
        async def run(c: Conn) -> StoredTotp | None:
            row = await c.fetchrow(f"SELECT {COLUMNS} FROM totp_factors WHERE user_id = $1", user_id)
            if row is None:
                return None
            return StoredTotp(user_id=row["user_id"], secret=row["secret"], created_at=clock.from_ms(row["created_at"]),
                              confirmed_at=clock.from_ms(row["confirmed_at"]), last_step=int(row["last_step"]))

        return await self.db.read(run)

    async def begin_totp(self, user_id: str, secret: str, at: datetime) -> StoredTotp:
        async def run(c: Conn) -> StoredTotp:
            # Checked here rather than left to the foreign key: SQLite enforces
            # those only when the connection turned them on.
            if not await c.fetchval("SELECT 1 FROM users WHERE id = $1", user_id):
                raise NotFound("No such user.")
            confirmed = await c.fetchval("SELECT confirmed_at FROM totp_factors WHERE user_id = $1", user_id)
            if confirmed is not None:
                raise Conflict("Two-step sign-in is already on; turn it off first.", code="second_factor_enabled")
            await c.execute("DELETE FROM totp_factors WHERE user_id = $1", user_id)
            await c.execute(
                f"INSERT INTO totp_factors ({COLUMNS}) VALUES ($1, $2, $3, NULL, 0)", user_id, secret, clock.to_ms(at)
            )
            return StoredTotp(user_id=user_id, secret=secret, created_at=clock.from_ms(clock.to_ms(at)))

        return await self.db.write(run)

    async def confirm_totp(self, user_id: str, step: int, code_hashes: list[str], at: datetime) -> bool:
        async def run(c: Conn) -> bool:
            done = await c.execute(
                "UPDATE totp_factors SET confirmed_at = $2, last_step = $3"
                " WHERE user_id = $1 AND confirmed_at IS NULL", user_id, clock.to_ms(at), step,
            )
            if not done:
                return False
            await c.execute("DELETE FROM recovery_codes WHERE user_id = $1", user_id)
            await c.executemany("INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES ($1, $2, NULL)",
                                [(user_id, h) for h in code_hashes])
            return True

        return await self.db.write(run)

    async def use_totp_step(self, user_id: str, step: int) -> bool:
        async def run(c: Conn) -> bool:
            return await c.execute(
                "UPDATE totp_factors SET last_step = $2"
                " WHERE user_id = $1 AND confirmed_at IS NOT NULL AND last_step < $2", user_id, step,
            ) > 0

        return await self.db.write(run)

    async def use_recovery_code(self, user_id: str, code_hash: str, at: datetime) -> bool:
        async def run(c: Conn) -> bool:
            return await c.execute(
                "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
                user_id, code_hash, clock.to_ms(at),
            ) > 0

        return await self.db.write(run)

    async def recovery_codes_left(self, user_id: str) -> int:
        return int(await self.db.read(lambda c: c.fetchval(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL", user_id
        )))

    async def delete_totp(self, user_id: str) -> bool:
        async def run(c: Conn) -> bool:
            await c.execute("DELETE FROM recovery_codes WHERE user_id = $1", user_id)
            return await c.execute("DELETE FROM totp_factors WHERE user_id = $1", user_id) > 0

        return await self.db.write(run)

    async def stored_secrets(self, *, after: str = "", limit: int = 500) -> list[tuple[str, str]]:
        async def run(c: Conn) -> list[tuple[str, str]]:
            rows = await c.fetch("SELECT user_id, secret FROM totp_factors WHERE user_id > $1 ORDER BY user_id"
                                 " LIMIT $2", after, limit)
            return [(row["user_id"], row["secret"]) for row in rows]

        return await self.db.read(run)

    async def replace_secret(self, user_id: str, old: str, new: str) -> bool:
        async def run(c: Conn) -> bool:
            return bool(await c.execute("UPDATE totp_factors SET secret = $3 WHERE user_id = $1 AND secret = $2",
                                        user_id, old, new))

        return await self.db.write(run)
