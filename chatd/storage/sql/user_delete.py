"""Users in SQL: erasing an account (port: UserStore.delete_account).

`SqlUserStore` inherits this; split out to keep files short.
"""

from __future__ import annotations

from chatd import clock
from chatd.domain import User
from chatd.errors import Conflict
from chatd.storage.sql.db import Conn, Database
from chatd.storage.sql.events import append_event
from chatd.storage.sql.user_admin import bump, changed, other_admins
from chatd.storage.sql.user_rows import lock_users

# Not an argon2 hash: verify() refuses it, so no password signs in again.
NO_PASSWORD = "!deleted"

# What goes with the account; members and messages are the conversation side's.
ERASED = (
    "DELETE FROM sessions WHERE user_id = $1",
    "DELETE FROM device_keys WHERE user_id = $1",
    "DELETE FROM key_backups WHERE user_id = $1",
    # Sign-in factors: a key or a code must not sign in as the erased account.
    "DELETE FROM webauthn_credentials WHERE user_id = $1",
    "DELETE FROM totp_factors WHERE user_id = $1",
    "DELETE FROM recovery_codes WHERE user_id = $1",
    # Where and how the account signed in (addresses, browsers): personal data too.
    "DELETE FROM security_events WHERE user_id = $1",
    "DELETE FROM sign_in_places WHERE user_id = $1",
    "DELETE FROM contacts WHERE owner_id = $1 OR user_id = $1",
)


async def _tell_contacts(c: Conn, user_id: str) -> None:
    """Each other side of a contact learns it is gone, as a removal tells it."""
    for row in await c.fetch("SELECT owner_id FROM contacts WHERE user_id = $1", user_id):
        await append_event(c, "contact.removed", {"owner_id": row["owner_id"], "user_id": user_id},
                           user_id=row["owner_id"])


class SqlUserDelete:
    db: Database

    async def delete_account(self, user_id: str, *, display_name: str) -> User | None:
        async def run(c: Conn) -> User | None:
            await lock_users(c)
            row = await c.fetchrow("SELECT role, disabled, deleted_at FROM users WHERE id = $1", user_id)
            if row is None or row["deleted_at"] is not None:
                return None
            if row["role"] == "admin" and not row["disabled"] and not await other_admins(c, user_id):
                raise Conflict("The last admin cannot delete their account; make someone else an admin first.",
                               code="last_admin")
            await _tell_contacts(c, user_id)
            for statement in ERASED:
                await c.execute(statement, user_id)
            await bump(
                c, user_id,
                "display_name = $3, avatar = NULL, bio = '', status_text = '', preferences = '{}', role = 'member',"
                " disabled = $4, password_hash = $5, deleted_at = $6",
                display_name, True, NO_PASSWORD, clock.to_ms(clock.now()),
            )
            return await changed(c, user_id)

        return await self.db.write(run)

    async def departures_pending(self, limit: int) -> list[str]:
        rows = await self.db.read(lambda c: c.fetch(
            "SELECT id FROM users WHERE deleted_at IS NOT NULL AND groups_left_at IS NULL"
            " ORDER BY deleted_at, id LIMIT $1", limit))
        return [row["id"] for row in rows]

    async def departure_done(self, user_id: str) -> None:
        await self.db.write(lambda c: c.execute(
            "UPDATE users SET groups_left_at = $2 WHERE id = $1 AND deleted_at IS NOT NULL",
            user_id, clock.to_ms(clock.now())))
