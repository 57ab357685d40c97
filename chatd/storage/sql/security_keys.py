"""Security keys (WebAuthn credentials) in SQL (port: ports/security_keys.py).

`SqlSecondFactorStore` inherits this; split out to keep files short. A use
is one conditional UPDATE, so on either engine only one of two racing
requests with the same assertion is recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from chatd import clock
from chatd.errors import Conflict, NotFound
from chatd.storage.ports.security_keys import MAX_KEYS, StoredKey
from chatd.storage.sql.db import Conn, Database

KEY_COLUMNS = "id, user_id, credential_id, public_key, sign_count, transports, name, created_at, last_used_at"


def _key(row: Any) -> StoredKey:
    return StoredKey(id=row["id"], user_id=row["user_id"], credential_id=row["credential_id"],
                     public_key=row["public_key"], sign_count=int(row["sign_count"]),
                     transports=msgspec.json.decode(row["transports"], type=list[str]), name=row["name"],
                     created_at=clock.from_ms(row["created_at"]), last_used_at=clock.from_ms(row["last_used_at"]))


class SqlSecurityKeys:
    db: Database

    async def list_keys(self, user_id: str) -> list[StoredKey]:
        rows = await self.db.read(lambda c: c.fetch(
            f"SELECT {KEY_COLUMNS} FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at, id", user_id))
        return [_key(r) for r in rows]

    async def find_key(self, credential_id: str) -> StoredKey | None:
        row = await self.db.read(lambda c: c.fetchrow(
            f"SELECT {KEY_COLUMNS} FROM webauthn_credentials WHERE credential_id = $1", credential_id))
        return _key(row) if row is not None else None

    async def add_key(self, key: StoredKey) -> StoredKey:
        async def run(c: Conn) -> StoredKey:
            if not await c.fetchval("SELECT 1 FROM users WHERE id = $1", key.user_id):
                raise NotFound("No such user.")
            if await c.fetchval("SELECT 1 FROM webauthn_credentials WHERE credential_id = $1", key.credential_id):
                raise Conflict("This security key is already registered.", code="security_key_registered")
            if await c.fetchval("SELECT COUNT(*) FROM webauthn_credentials WHERE user_id = $1", key.user_id) >= MAX_KEYS:
                raise Conflict(f"At most {MAX_KEYS} security keys; remove one first.", code="too_many_keys")
            await c.execute(
                f"INSERT INTO webauthn_credentials ({KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
                key.id, key.user_id, key.credential_id, key.public_key, key.sign_count,
                msgspec.json.encode(key.transports).decode(), key.name, clock.to_ms(key.created_at),
            )
            return key

        return await self.db.write(run)

    async def rename_key(self, user_id: str, key_id: str, name: str) -> StoredKey | None:
        async def run(c: Conn) -> StoredKey | None:
            if not await c.execute("UPDATE webauthn_credentials SET name = $3 WHERE user_id = $1 AND id = $2",
                                   user_id, key_id, name):
                return None
            return _key(await c.fetchrow(f"SELECT {KEY_COLUMNS} FROM webauthn_credentials WHERE id = $1", key_id))

        return await self.db.write(run)

    async def delete_key(self, user_id: str, key_id: str) -> StoredKey | None:
        async def run(c: Conn) -> StoredKey | None:
            row = await c.fetchrow(f"SELECT {KEY_COLUMNS} FROM webauthn_credentials WHERE user_id = $1 AND id = $2",
                                   user_id, key_id)
            if row is None or not await c.execute("DELETE FROM webauthn_credentials WHERE id = $1", key_id):
                return None
            return _key(row)

        return await self.db.write(run)

    async def use_key(self, user_id: str, credential_id: str, sign_count: int, challenge: str, at: datetime) -> bool:
        async def run(c: Conn) -> bool:
            return await c.execute(
                "UPDATE webauthn_credentials SET sign_count = $3, last_challenge = $4, last_used_at = $5"
                " WHERE user_id = $1 AND credential_id = $2"
                " AND (sign_count < $3 OR (sign_count = 0 AND $3 = 0))"
                " AND (last_challenge IS NULL OR last_challenge <> $4)",
                user_id, credential_id, sign_count, challenge, clock.to_ms(at),
            ) > 0

        return await self.db.write(run)

    async def delete_keys(self, user_id: str) -> int:
        return int(await self.db.write(lambda c: c.execute("DELETE FROM webauthn_credentials WHERE user_id = $1",
                                                           user_id)))
