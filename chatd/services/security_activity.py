"""Security activity: tell an account's owner, on every signed-in device at
once, when something changed its credentials or who can act as it (ASVS
2.2.3, 2.5.5), and keep the last KEEP such events for Settings.

chatd sends no e-mail; ASVS prefers push to e-mail anyway. Each event goes
to the owner's live sockets and to the sync log (an offline device sees it
on /sync): `security.activity`, only ever to that user.

A new kind plugs in by adding it to KINDS (and its sentence to the web
UI's static/app/views/SecurityNotice.js) and one line where it happens:
    await activity.record(user_id, "totp_enabled", where)
"""

from __future__ import annotations

import hashlib
import time

import msgspec

from chatd import clock, ids
from chatd.domain import User
from chatd.domain.security_event import ActedBy, SecurityEvent
from chatd.errors import Invalid
from chatd.services.device_label import network
from chatd.storage.ports.security_activity import SecurityActivityStore

KINDS = frozenset({
    "password_changed",     # by the owner (other sessions end with it)
    "sessions_ended",       # "sign out everywhere else"; detail: how many
    "session_ended",        # one login session ended by the owner
    "token_created",        # detail: the token's name
    "token_revoked",        # detail: the token's id, or "all"
    "device_key_added",     # an E2EE device published (new device id); detail: device id
    "device_key_removed",   # detail: device id
    "key_backup_set",       # the E2EE key backup stored or replaced
    "key_backup_removed",
    "new_sign_in",          # from a device family + network not seen on this account
    "role_changed",         # by an admin or the operator; detail: the new role
    "account_disabled",
    "account_enabled",
    "second_factor_enabled",   # two-step sign-in turned on (TOTP confirmed)
    "second_factor_disabled",  # turned off by the owner, or reset by the operator
    "second_factor_code_reused",  # a right TOTP code sent again (ASVS 2.8.5): refused; someone may have seen it
    "recovery_code_used",      # one of the account's one-time recovery codes was spent
    "security_key_added",      # a security key or passkey registered; detail: its name
    "security_key_removed",    # detail: its name
    "security_key_cloned",     # a key's valid signature with its counter gone back: refused; detail: its name
})
KEEP = 100  # events kept per account; older ones are dropped
PLACES = 20  # sign-in places remembered per account
PAGE_MAX = 100


class Where(msgspec.Struct, frozen=True):
    """The device and address an action came from (api/client_place.py)."""

    device: str = ""
    address: str | None = None


class SecurityPage(msgspec.Struct):
    items: list[SecurityEvent]
    has_more: bool


_last_id = 0


def ordered_id() -> str:
    """A ULID above every one this process made before: events are listed by
    id, and two in the same millisecond must keep their order."""
    global _last_id
    _last_id = max((int(time.time() * 1000) << 80) | ids.random80(), _last_id + 1)
    return ids.encode(_last_id)


def _place(where: Where) -> str:
    # A digest: the table of known places holds no address of its own.
    return hashlib.sha256(f"{where.device}|{network(where.address)}".encode()).hexdigest()[:32]


class SecurityActivity:
    def __init__(self, store: SecurityActivityStore, keep: int = KEEP, places: int = PLACES):
        self.store, self.keep, self.places = store, keep, places

    async def record(self, user_id: str, kind: str, where: Where | None = None, *, detail: str = "",
                     by: ActedBy = "self") -> None:
        """Store the event and push it to the owner's devices (one write)."""
        if kind not in KINDS:
            raise ValueError(f"unknown security event kind {kind!r}")  # a programming error, not input
        w = where or Where()
        event = SecurityEvent(id=ordered_id(), kind=kind, at=clock.now(), device=w.device, address=w.address,
                              detail=detail[:64], by=by)
        await self.store.record(user_id, event, self.keep)

    async def signed_in(self, user_id: str, where: Where) -> None:
        """A sign-in: recorded (and pushed) only when its place is new to the account."""
        if await self.store.seen_place(user_id, _place(where), clock.now(), self.places):
            await self.record(user_id, "new_sign_in", where)

    async def known_place(self, user_id: str, where: Where) -> None:
        """Remember a place without telling anyone (where the account was made)."""
        await self.store.seen_place(user_id, _place(where), clock.now(), self.places)

    async def page(self, me: User, before: str | None, limit: int) -> SecurityPage:
        if not 1 <= limit <= PAGE_MAX:
            raise Invalid(f"limit is 1 to {PAGE_MAX}.", code="invalid")
        if before is not None and not 1 <= len(before) <= 64:
            raise Invalid("before is an event id.", code="invalid")
        items = await self.store.page(me.id, before, limit + 1)
        return SecurityPage(items=items[:limit], has_more=len(items) > limit)
