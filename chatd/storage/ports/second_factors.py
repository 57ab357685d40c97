"""Port: each account's TOTP factor and its one-time recovery codes, and
(ports/security_keys.py) its security keys.

The store keeps what the service gives it: the TOTP secret already sealed
(services/second_factor/sealing.py) and recovery codes as hashes. Replay
protection is decided here, atomically: a TOTP step is accepted only if it
is later than the last one accepted, and a recovery code only once. Accounts
live in the SQL database, so this store does too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chatd.domain.base import Entity
from chatd.storage.ports.security_keys import SecurityKeyStore


class StoredTotp(Entity, kw_only=True):
    user_id: str
    secret: str  # sealed (or marked plain), never shown after enrolment
    created_at: datetime
    confirmed_at: datetime | None = None  # None: enrolment not confirmed yet, not in force
    last_step: int = 0  # the last TOTP step accepted; only later ones are


class SecondFactorStore(SecurityKeyStore, Protocol):
    async def get_totp(self, user_id: str) -> StoredTotp | None: ...

    async def begin_totp(self, user_id: str, secret: str, at: datetime) -> StoredTotp:
        """A new, unconfirmed enrolment, replacing an unconfirmed one. Raises
        Conflict (code "second_factor_enabled") when one is confirmed and
        NotFound for an unknown user; nothing written then."""
        ...

    async def confirm_totp(self, user_id: str, step: int, code_hashes: list[str], at: datetime) -> bool:
        """Put the unconfirmed enrolment in force with `step` as its last
        accepted step, and replace the account's recovery codes with these.
        False (nothing written) when there is no unconfirmed enrolment."""
        ...

    async def use_totp_step(self, user_id: str, step: int) -> bool:
        """Accept `step` for the confirmed factor if it is later than the last
        accepted one (and record it); False for a replay or no factor."""
        ...

    async def use_recovery_code(self, user_id: str, code_hash: str, at: datetime) -> bool:
        """Spend an unused recovery code of this account; False otherwise."""
        ...

    async def recovery_codes_left(self, user_id: str) -> int: ...

    async def delete_totp(self, user_id: str) -> bool:
        """Remove the factor (confirmed or not) and every recovery code; True if there was a factor."""
        ...

    async def stored_secrets(self, *, after: str = "", limit: int = 500) -> list[tuple[str, str]]:
        """(user id, stored secret) of every factor, confirmed or not, by
        user id after `after`: for checking and re-sealing under a new key."""
        ...

    async def replace_secret(self, user_id: str, old: str, new: str) -> bool:
        """Store `new` for the account's factor only if it still holds `old`
        (an enrolment or reset in between wins); True when replaced."""
        ...
