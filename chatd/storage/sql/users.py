"""Users in SQL: accounts, password hashes, device keys (port: ports/users.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import msgspec

from chatd import clock
from chatd.domain import DeviceKey, User
from chatd.errors import Conflict, Forbidden, NotFound
from chatd.storage.sql.db import Conn, Database
from chatd.storage.sql.user_admin import SqlUserAdmin, bump, changed, like
from chatd.storage.sql.user_delete import SqlUserDelete
from chatd.storage.sql.user_rows import USER_COLUMNS, fetch_user, lock_users, users_of

# Profile fields a user may change; anything else in `changes` is a bug.
PROFILE_FIELDS = {"display_name", "avatar", "bio", "status_text", "preferences"}


class SqlUserStore(SqlUserAdmin, SqlUserDelete):
    def __init__(self, db: Database):
        self.db = db

    async def create(self, user: User, password_hash: str, *, invite_hash: str | None = None) -> User:
        async def run(c: Conn) -> User:
            await lock_users(c)
            if invite_hash is not None:
                used = await c.fetchval(
                    "UPDATE invites SET uses = uses + 1 WHERE code_hash = $1 AND uses < max_uses"
                    " AND expires_at > $2 RETURNING id",
                    invite_hash, clock.to_ms(clock.now()),
                )
                if used is None:
                    raise Forbidden("This invite is unknown, expired or used up.", code="invite_invalid")
            if await c.fetchval("SELECT 1 FROM users WHERE username = $1", user.username):
                raise Conflict("This username is taken.", code="username_taken")
            first = await c.fetchval("SELECT 1 FROM users LIMIT 1") is None
            role = "admin" if first else user.role
            await c.execute(
                "INSERT INTO users (id, username, display_name, avatar, bio, status_text, role, disabled,"
                " password_hash, preferences, created_at, updated_at, last_seen_at, version)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                user.id, user.username, user.display_name, user.avatar, user.bio, user.status_text, role,
                user.disabled, password_hash, msgspec.json.encode(user.preferences).decode(),
                clock.to_ms(user.created_at), clock.to_ms(user.updated_at), clock.to_ms(user.last_seen_at),
                user.version,
            )
            created = await fetch_user(c, user.id)
            assert created is not None
            return created

        return await self.db.write(run)

    async def get(self, user_id: str) -> User | None:
        return await self.db.read(lambda c: fetch_user(c, user_id))

    async def set_last_seen(self, user_id: str, at: datetime) -> None:
        ms = clock.to_ms(at)
        await self.db.write(lambda c: c.execute(
            "UPDATE users SET last_seen_at = $2 WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < $2)",
            user_id, ms,
        ))

    async def get_many(self, user_ids: Collection[str]) -> dict[str, User]:
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return {}

        async def run(c: Conn) -> dict[str, User]:
            marks = ", ".join(f"${i}" for i in range(1, len(ids) + 1))
            rows = await c.fetch(f"SELECT {USER_COLUMNS} FROM users WHERE id IN ({marks})", *ids)
            return {u.id: u for u in await users_of(c, rows)}

        return await self.db.read(run)

    async def get_by_username(self, username: str) -> User | None:
        async def run(c: Conn) -> User | None:
            row = await c.fetchrow(f"SELECT {USER_COLUMNS} FROM users WHERE username = $1", username)
            return (await users_of(c, [row]))[0] if row else None

        return await self.db.read(run)

    async def credentials(self, username: str) -> tuple[User, str] | None:
        async def run(c: Conn) -> tuple[User, str] | None:
            # A deleted account answers as no account: the same time, the same refusal.
            row = await c.fetchrow(f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1"
                                   " AND deleted_at IS NULL", username)
            return ((await users_of(c, [row]))[0], row["password_hash"]) if row else None

        return await self.db.read(run)

    async def password_hash(self, user_id: str) -> str | None:
        return await self.db.read(lambda c: c.fetchval("SELECT password_hash FROM users WHERE id = $1", user_id))

    async def set_password(self, user_id: str, password_hash: str, *, keep_session_id: str | None = None,
                           end_sessions: bool = False) -> None:
        async def run(c: Conn) -> None:
            await c.execute("UPDATE users SET password_hash = $2 WHERE id = $1", user_id, password_hash)
            if not end_sessions:
                return
            if keep_session_id is None:
                await c.execute("DELETE FROM sessions WHERE user_id = $1 AND kind = 'session'", user_id)
            else:
                await c.execute(
                    "DELETE FROM sessions WHERE user_id = $1 AND kind = 'session' AND id <> $2",
                    user_id, keep_session_id,
                )

        await self.db.write(run)

    async def update(self, user_id: str, changes: dict[str, Any], *, version: int) -> User:
        unknown = set(changes) - PROFILE_FIELDS
        assert not unknown, f"not profile fields: {unknown}"
        names = sorted(changes)
        values = [msgspec.json.encode(changes[n]).decode() if n == "preferences" else changes[n] for n in names]

        async def run(c: Conn) -> User:
            sets = ", ".join(f"{n} = ${i}" for i, n in enumerate(names, start=4))
            extra = f", {sets}" if sets else ""
            n = await c.execute(
                f"UPDATE users SET version = version + 1, updated_at = $3{extra} WHERE id = $1 AND version = $2",
                user_id, version, clock.to_ms(clock.now()), *values,
            )
            if n == 0:
                current = await fetch_user(c, user_id)
                if current is None:
                    raise NotFound("No such user.")
                raise Conflict("The profile changed meanwhile.", code="version_conflict", extra={"current": current})
            return await changed(c, user_id)

        return await self.db.write(run)

    async def put_key(self, user_id: str, key: DeviceKey, *, max_devices: int) -> User:
        async def run(c: Conn) -> User:
            if not await bump(c, user_id):
                raise NotFound("No such user.")
            known = await c.fetchval(
                "SELECT 1 FROM device_keys WHERE user_id = $1 AND device_id = $2", user_id, key.device_id
            )
            if not known and await c.fetchval("SELECT COUNT(*) FROM device_keys WHERE user_id = $1", user_id) >= max_devices:
                raise Conflict(f"At most {max_devices} devices may publish keys.", code="too_many_devices")
            await c.execute(
                "INSERT INTO device_keys (user_id, device_id, x25519, ed25519, sig, created_at)"
                " VALUES ($1, $2, $3, $4, $5, $6)"
                " ON CONFLICT (user_id, device_id) DO UPDATE SET x25519 = excluded.x25519,"
                " ed25519 = excluded.ed25519, sig = excluded.sig, created_at = excluded.created_at",
                user_id, key.device_id, key.x25519, key.ed25519, key.sig, clock.to_ms(key.created_at),
            )
            return await changed(c, user_id)

        return await self.db.write(run)

    async def delete_key(self, user_id: str, device_id: str) -> User | None:
        async def run(c: Conn) -> User | None:
            if not await c.execute("DELETE FROM device_keys WHERE user_id = $1 AND device_id = $2", user_id, device_id):
                return None
            await bump(c, user_id)
            return await changed(c, user_id)

        return await self.db.write(run)

    async def search(self, query: str, limit: int) -> list[User]:
        async def run(c: Conn) -> list[User]:
            rows = await c.fetch(
                f"SELECT {USER_COLUMNS} FROM users WHERE NOT disabled AND (username LIKE $1 ESCAPE '\\'"
                " OR lower(display_name) LIKE $2 ESCAPE '\\') ORDER BY username LIMIT $3",
                like(query.lower()) + "%", "%" + like(query.lower()) + "%", limit,
            )
            return await users_of(c, rows)

        return await self.db.read(run)
