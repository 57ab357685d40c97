"""Admin operations on accounts: users, roles, invites, counts.

Called by the admin API with `actor` = the signed-in user (who must be an
admin) and by the `chatd user ...` CLI with `actor=None` (the operator at
the server's console is trusted). Users are addressed by id or username.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from chatd import clock, ids
from typing import get_args

from chatd.config import RegistrationMode
from chatd.domain import Role, User
from chatd.domain.auth import Invite, Session
from chatd.domain.security_event import ActedBy
from chatd.errors import Conflict, Forbidden, NotFound
from chatd.services import account_rules as rules
from chatd.services.password_strength import require_strong
from chatd.services.second_factor.step_up import require_recent
from chatd.services.tokens import digest, new_secret

if TYPE_CHECKING:
    from chatd.config import Config
    from chatd.services.security_activity import SecurityActivity
    from chatd.services.passwords import Passwords
    from chatd.storage.ports.auth import AuthStore
    from chatd.storage.ports.settings import SettingsStore
    from chatd.storage.ports.users import UserStore


REGISTRATION = "registration"  # the settings store's name for the mode
MODES: tuple[str, ...] = get_args(RegistrationMode)


def require_admin(actor: User | None) -> None:
    if actor is not None and actor.role != "admin":
        raise Forbidden("Only admins may do this.", code="admin_only")


def _by(actor: User | None) -> ActedBy:
    return "operator" if actor is None else "admin"


class AccountAdmin:
    users: UserStore
    auth: AuthStore
    config: Config
    settings: SettingsStore
    activity: SecurityActivity
    passwords: Passwords

    async def _create(self, username: str, password: str, role: Role, display_name: str | None,
                      invite_hash: str | None = None) -> User:
        name = rules.username(username)
        rules.password(password)
        shown = rules.text_field("display_name", display_name if display_name is not None else name)
        await require_strong(password, self.config.auth.min_password_score, name, shown)
        now = clock.now()
        user = User(id=ids.new_id(), username=name, display_name=shown, role=role, created_at=now, updated_at=now)
        return await self.users.create(user, await self.passwords.hash(password), invite_hash=invite_hash)

    async def create_user(self, username: str, password: str, role: Role = "member",
                          display_name: str | None = None, *, actor: User | None = None) -> User:
        """Create an account whatever auth.registration says (the first one becomes admin)."""
        require_admin(actor)
        return await self._create(username, password, role, display_name)

    async def registration(self) -> RegistrationMode:
        """The mode an admin stored, else auth.registration from chatd.toml.
        Read at each use, so every worker process agrees at once."""
        stored = await self.settings.get(REGISTRATION)
        return stored if stored in MODES else self.config.auth.registration  # type: ignore[return-value]

    async def set_registration(self, mode: RegistrationMode, *, actor: User | None = None) -> RegistrationMode:
        """Open, invite-only or closed sign-up from now on, kept in the
        database: it wins over chatd.toml until reset_registration."""
        require_admin(actor)
        await self.settings.put(REGISTRATION, mode, updated_by=actor.id if actor else "cli")
        return mode

    async def reset_registration(self, *, actor: User | None = None) -> RegistrationMode:
        """Forget the stored mode: auth.registration in chatd.toml applies again."""
        require_admin(actor)
        await self.settings.delete(REGISTRATION)
        return self.config.auth.registration

    async def find_user(self, ref: str) -> User:
        """A user by id or (case-insensitive) username."""
        user = await self.users.get(ref) or await self.users.get_by_username(ref.strip().lower())
        if user is None:
            raise NotFound(f"No user {ref!r}.")
        return user

    async def list_users(self, query: str = "", after: str = "", limit: int = 100, *,
                         actor: User | None = None) -> list[User]:
        require_admin(actor)
        return await self.users.list(query=query.strip().lower(), after=after, limit=limit)

    async def set_disabled(self, ref: str, disabled: bool, *, actor: User | None = None,
                           session: Session | None = None) -> User:
        """Disabled users are refused everywhere, their existing sessions and tokens
        included; enabling them again restores those. An admin (`actor`) needs
        a recent step-up on `session`; the CLI (no actor) does not."""
        require_admin(actor)
        if actor is not None:
            require_recent(session)
        target = await self.find_user(ref)
        if disabled and actor is not None and target.id == actor.id:
            raise Conflict("Admins cannot disable themselves.", code="self_disable")
        user = await self.users.set_disabled(target.id, disabled)
        if user is None:
            raise NotFound(f"No user {ref!r}.")
        await self.activity.record(user.id, "account_disabled" if disabled else "account_enabled", by=_by(actor))
        return user

    async def set_role(self, ref: str, role: Role, *, actor: User | None = None,
                       session: Session | None = None) -> User:
        require_admin(actor)
        if actor is not None:
            require_recent(session)
        target = await self.find_user(ref)
        user = await self.users.set_role(target.id, role)
        if user is None:
            raise NotFound(f"No user {ref!r}.")
        await self.activity.record(user.id, "role_changed", detail=role, by=_by(actor))
        return user

    async def create_invite(self, max_uses: int, expires_hours: int, *, actor: User) -> tuple[Invite, str]:
        """A new invite code (shown once; only its hash is stored)."""
        require_admin(actor)
        now = clock.now()
        code = new_secret()
        invite = Invite(id=ids.new_id(), created_by=actor.id, max_uses=max_uses,
                        expires_at=now + timedelta(hours=expires_hours), created_at=now)
        return await self.auth.create_invite(invite, digest(code)), code

    async def list_invites(self, *, actor: User | None = None) -> list[Invite]:
        require_admin(actor)
        return await self.auth.list_invites()

    async def revoke_invite(self, invite_id: str, *, actor: User | None = None) -> None:
        require_admin(actor)
        if not await self.auth.delete_invite(invite_id):
            raise NotFound("No such invite.")

    async def stats(self, *, actor: User | None = None) -> dict[str, int]:
        require_admin(actor)
        return {**await self.users.counts(), **await self.auth.counts(clock.now())}
