"""Sessions, personal API tokens and invites in SQL (port: ports/auth.py).

Only sha256 digests of tokens and invite codes are stored; `lookup` finds a
token, its user and the user's device keys in one indexed query.
"""

from __future__ import annotations

from datetime import datetime

from chatd import clock
from chatd.clock import from_ms
from chatd.domain import User
from chatd.domain.auth import Invite, Session, SessionKind
from chatd.storage.sql.db import Conn, Database, Row
from chatd.storage.sql.user_rows import USER_FIELDS, key_of, user_of

SESSION_COLUMNS = "id, user_id, kind, name, created_at, last_used_at, expires_at, verified_at"
INVITE_COLUMNS = "id, created_by, max_uses, uses, expires_at, created_at"

# Session and key columns are renamed so they cannot clash with the user's.
LOOKUP = (
    "SELECT " + ", ".join(f"u.{f}" for f in USER_FIELDS) + ","
    " s.id AS s_id, s.kind AS s_kind, s.name AS s_name, s.created_at AS s_created_at,"
    " s.last_used_at AS s_last_used_at, s.expires_at AS s_expires_at, s.verified_at AS s_verified_at,"
    " k.device_id AS k_device_id, k.x25519 AS k_x25519, k.ed25519 AS k_ed25519, k.sig AS k_sig,"
    " k.created_at AS k_created_at"
    " FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN device_keys k ON k.user_id = s.user_id"
    " WHERE s.token_hash = $1 ORDER BY k.created_at, k.device_id"
)


def session_of(row: Row, prefix: str = "", user_id: str | None = None) -> Session:
    return Session(
        id=row[f"{prefix}id"],
        user_id=user_id or row["user_id"],
        kind=row[f"{prefix}kind"],
        name=row[f"{prefix}name"],
        created_at=from_ms(row[f"{prefix}created_at"]),
        last_used_at=from_ms(row[f"{prefix}last_used_at"]),
        expires_at=from_ms(row[f"{prefix}expires_at"]),
        verified_at=from_ms(row[f"{prefix}verified_at"]),
    )


def invite_of(row: Row) -> Invite:
    return Invite(
        id=row["id"],
        created_by=row["created_by"],
        max_uses=row["max_uses"],
        uses=row["uses"],
        expires_at=from_ms(row["expires_at"]),
        created_at=from_ms(row["created_at"]),
    )


class SqlAuthStore:
    def __init__(self, db: Database):
        self.db = db

    async def create_session(self, session: Session, token_hash: str) -> Session:
        async def run(c: Conn) -> Session:
            await c.execute(
                f"INSERT INTO sessions ({SESSION_COLUMNS}, token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                session.id, session.user_id, session.kind, session.name, clock.to_ms(session.created_at),
                clock.to_ms(session.last_used_at), clock.to_ms(session.expires_at), clock.to_ms(session.verified_at),
                token_hash,
            )
            return session

        return await self.db.write(run)

    async def lookup(self, token_hash: str) -> tuple[User, Session] | None:
        async def run(c: Conn) -> tuple[User, Session] | None:
            rows = await c.fetch(LOOKUP, token_hash)
            if not rows:
                return None
            keys = [key_of(r, "k_") for r in rows if r["k_device_id"] is not None]
            return user_of(rows[0], keys), session_of(rows[0], "s_", user_id=rows[0]["id"])

        return await self.db.read(run)

    async def touch(self, session_id: str, at: datetime, *, expires_at: datetime | None = None) -> None:
        async def run(c: Conn) -> None:
            ms = clock.to_ms(at)
            user_id = await c.fetchval(
                "UPDATE sessions SET last_used_at = $2, expires_at = COALESCE($3, expires_at) WHERE id = $1"
                " RETURNING user_id",
                session_id, ms, clock.to_ms(expires_at),
            )
            if user_id is not None:
                await c.execute(
                    "UPDATE users SET last_seen_at = $2 WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < $2)",
                    user_id, ms,
                )

        await self.db.write(run)

    async def mark_verified(self, session_id: str, at: datetime) -> bool:
        return await self.db.write(lambda c: c.execute(
            "UPDATE sessions SET verified_at = $2 WHERE id = $1", session_id, clock.to_ms(at)
        )) > 0

    async def delete_session(self, session_id: str, *, user_id: str | None = None,
                             kind: SessionKind | None = None) -> bool:
        where, args = ["id = $1"], [session_id]
        for column, value in (("user_id", user_id), ("kind", kind)):
            if value is not None:
                args.append(value)
                where.append(f"{column} = ${len(args)}")

        async def run(c: Conn) -> bool:
            return await c.execute(f"DELETE FROM sessions WHERE {' AND '.join(where)}", *args) > 0

        return await self.db.write(run)

    async def delete_sessions(self, user_id: str, kind: SessionKind, *, except_id: str | None = None) -> int:
        async def run(c: Conn) -> int:
            return await c.execute(
                "DELETE FROM sessions WHERE user_id = $1 AND kind = $2 AND id <> $3", user_id, kind, except_id or ""
            )

        return await self.db.write(run)

    async def list_sessions(self, user_id: str, kind: SessionKind) -> list[Session]:
        async def run(c: Conn) -> list[Session]:
            rows = await c.fetch(
                f"SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 AND kind = $2 ORDER BY created_at, id",
                user_id, kind,
            )
            return [session_of(r) for r in rows]

        return await self.db.read(run)

    async def count_sessions(self, user_id: str, kind: SessionKind) -> int:
        return await self.db.read(lambda c: c.fetchval(
            "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND kind = $2", user_id, kind
        ))

    async def create_invite(self, invite: Invite, code_hash: str) -> Invite:
        async def run(c: Conn) -> Invite:
            await c.execute(
                f"INSERT INTO invites ({INVITE_COLUMNS}, code_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                invite.id, invite.created_by, invite.max_uses, invite.uses, clock.to_ms(invite.expires_at),
                clock.to_ms(invite.created_at), code_hash,
            )
            return invite

        return await self.db.write(run)

    async def list_invites(self) -> list[Invite]:
        async def run(c: Conn) -> list[Invite]:
            rows = await c.fetch(f"SELECT {INVITE_COLUMNS} FROM invites ORDER BY created_at DESC, id DESC")
            return [invite_of(r) for r in rows]

        return await self.db.read(run)

    async def delete_invite(self, invite_id: str) -> bool:
        return await self.db.write(lambda c: c.execute("DELETE FROM invites WHERE id = $1", invite_id)) > 0

    async def purge_expired(self, before: datetime) -> int:
        return await self.db.write(lambda c: c.execute(
            "DELETE FROM sessions WHERE expires_at IS NOT NULL AND expires_at < $1", clock.to_ms(before)
        ))

    async def counts(self, at: datetime) -> dict[str, int]:
        async def run(c: Conn) -> dict[str, int]:
            ms = clock.to_ms(at)
            live = "(expires_at IS NULL OR expires_at > $1)"
            sessions = await c.fetchval(f"SELECT COUNT(*) FROM sessions WHERE kind = 'session' AND {live}", ms)
            tokens = await c.fetchval(f"SELECT COUNT(*) FROM sessions WHERE kind = 'token' AND {live}", ms)
            invites = await c.fetchval("SELECT COUNT(*) FROM invites WHERE expires_at > $1 AND uses < max_uses", ms)
            return {"sessions": int(sessions), "tokens": int(tokens), "invites": int(invites)}

        return await self.db.read(run)
