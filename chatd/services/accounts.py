"""Accounts: registration, sign-in, the bearer/session check of every request,
own profile, password, personal API tokens and device keys.

`Accounts.authenticate(token)` is the one authentication check, for HTTP
(api/security.py) and the WebSocket gateway alike. Admin operations (also
used by the `chatd user ...` CLI) are in account_admin.py.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from chatd import clock, ids
from chatd.config import Config
from chatd.domain import DeviceKey, PublicUser, User
from chatd.domain.auth import Session, SessionKind
from chatd.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from chatd.services import account_rules as rules
from chatd.services.account_admin import AccountAdmin
from chatd.services.login_limit import LoginLimiter
from chatd.services.own_sessions import OwnSessions
from chatd.services.password_strength import require_strong
from chatd.services.second_factor.challenge import Challenges
from chatd.services.second_factor.security_keys import new_challenge as new_key_challenge
from chatd.services.second_factor.service import SecondFactors, second_factor_required
from chatd.services.second_factor.step_up import require_recent
from chatd.keys.ring import KeyRing
from chatd.services.passwords import Passwords
from chatd.services.second_factor.sealing import SecretSealer
from chatd.services.security_activity import SecurityActivity
from chatd.services.tokens import MAX_CHARS, digest, new_secret
from chatd.storage.ports.auth import AuthStore
from chatd.storage.ports.expiring import ExpiringStore
from chatd.storage.ports.second_factors import SecondFactorStore
from chatd.storage.ports.settings import SettingsStore
from chatd.storage.ports.users import UserStore
from chatd.text import clean

# Sign-ins, failed or not, and changes to credentials, for the administrator
# (and fail2ban): who, from where, never a password, token or cookie.
log = logging.getLogger("chatd.auth")

# last_used_at / last_seen_at are written at most this often per session.
TOUCH_EVERY = timedelta(minutes=1)
MAX_TOKEN_CHARS = MAX_CHARS  # longer is never one of ours: refuse before hashing
# Expired sessions and tokens are deleted at most this often (on sign-in).
PURGE_EVERY = timedelta(hours=1)


class Accounts(AccountAdmin, OwnSessions):
    def __init__(self, config: Config, users: UserStore, auth: AuthStore, cache: ExpiringStore,
                 settings: SettingsStore, second_factors: SecondFactorStore, activity: SecurityActivity,
                 passwords: Passwords, keys: KeyRing | None = None):
        """`keys`: the ring with the TOTP sealing key (the pepper's when not given)."""
        self.config = config
        self.activity = activity  # security events for the owner (services/security_activity.py)
        self.passwords = passwords
        self.settings = settings
        self.users = users
        self.auth = auth
        auth_cfg = config.auth
        self.limiter = LoginLimiter(cache, auth_cfg.login_attempts_per_minute,
                                    auth_cfg.login_attempts_per_address_per_minute,
                                    auth_cfg.login_attempts_per_account_per_minute)
        self._purged_at: datetime | None = None
        self.factors = SecondFactors(config, second_factors, users, auth, self.limiter, passwords, activity, cache,
                                     SecretSealer(keys or passwords.ring))
        self.challenges = Challenges(cache)

    # -- authentication -------------------------------------------------

    async def authenticate(self, token: str) -> tuple[User, Session]:
        """The user and session a bearer token or session cookie stands for.

        Fast: a sha256 and one indexed read (plus, at most once a minute per
        session, a small write of last_used_at). Raises Unauthenticated for a
        missing, unknown or expired token and Forbidden(code="account_disabled")
        for a disabled user. Safe to call from the WebSocket gateway.
        """
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise Unauthenticated("Missing or malformed credentials.", code="invalid_token")
        found = await self.auth.lookup(digest(token))
        if found is None:
            raise Unauthenticated("Unknown or ended session.", code="invalid_token")
        user, session = found
        now = clock.now()
        if session.expires_at is not None and session.expires_at <= now or self._past_max_age(session, now):
            raise Unauthenticated("This session has expired; sign in again.", code="token_expired")
        if user.disabled:
            raise Forbidden("This account is disabled.", code="account_disabled")
        if now - session.last_used_at >= TOUCH_EVERY:
            # Login sessions slide: a session in use does not expire under its user.
            expires = self._session_expiry(now, session.created_at) if session.kind == "session" else None
            await self.auth.touch(session.id, now, expires_at=expires)
        return user, session

    def _session_expiry(self, now: datetime, created_at: datetime) -> datetime:
        """session_days from now, but never past session_max_days after sign-in."""
        auth = self.config.auth
        return min(now + timedelta(days=auth.session_days), created_at + timedelta(days=auth.session_max_days))

    def _past_max_age(self, session: Session, now: datetime) -> bool:
        # Also for sessions whose stored expiry slid before session_max_days was lowered.
        limit = timedelta(days=self.config.auth.session_max_days)
        return session.kind == "session" and now - session.created_at >= limit

    async def _purge_now_and_then(self, now: datetime) -> None:
        if self._purged_at is None or now - self._purged_at >= PURGE_EVERY:
            self._purged_at = now
            await self.auth.purge_expired(now)

    async def _start(self, user: User, kind: SessionKind, name: str = "",
                     expires_days: int | None = None) -> tuple[Session, str]:
        """A login session counts as a fresh proof (step-up); an API token does not."""
        now = clock.now()
        await self._purge_now_and_then(now)
        if kind == "session":
            expires = self._session_expiry(now, now)
        else:
            expires = now + timedelta(days=expires_days) if expires_days else None
        secret = new_secret()
        session = Session(id=ids.new_id(), user_id=user.id, kind=kind, name=name, created_at=now,
                          last_used_at=now, expires_at=expires, verified_at=now if kind == "session" else None)
        return await self.auth.create_session(session, digest(secret)), secret

    # -- registration and sign-in ---------------------------------------

    async def register(self, username: str, password: str, display_name: str | None = None,
                       invite: str | None = None) -> tuple[User, str]:
        """Self-service sign-up per the registration mode (stored by an admin,
        else auth.registration); returns the user and a session token."""
        mode = await self.registration()
        if mode == "closed":
            raise Forbidden("Registration is closed on this server.", code="registration_closed")
        if mode == "invite" and not invite:
            raise Forbidden("Registration needs an invite on this server.", code="invite_required")
        user = await self._create(username, password, "member", display_name,
                                  invite_hash=digest(invite) if mode == "invite" and invite else None)
        _, token = await self._start(user, "session")
        return user, token

    async def login(self, username: str, password: str, address: str | None = None,
                    session_token: str | None = None) -> tuple[User, str]:
        """A new login session. Unknown user and wrong password answer alike,
        in about the same time; failures back off per account and address,
        per address and per account (see login_limit.py). `session_token`:
        a session the client already holds (its cookie), which makes it a
        known device of that account if it is one."""
        name = username.strip().lower()
        known = await self._known_device(name, address, session_token)
        await self.limiter.check(name, address, known)
        found = await self.users.credentials(name) if rules.USERNAME.fullmatch(name) else None
        if not await self.passwords.verify(found[1] if found else None, password) or found is None:
            await self.limiter.failed(name, address, known)
            log.warning("sign-in failed: account %r from %s (%s)", name[:64], address or "-",
                        "wrong password" if found else "no such account")
            raise Unauthenticated("Wrong username or password.", code="invalid_credentials")
        user, stored = found
        if user.disabled:
            log.warning("sign-in refused: account %r from %s (disabled)", name, address or "-")
            raise Forbidden("This account is disabled.", code="account_disabled")
        if self.passwords.needs_rehash(stored):  # older parameters, or made before the pepper
            await self.users.set_password(user.id, await self.passwords.hash(password))
        # Asked only now: before the password is right nothing tells whether the account has TOTP.
        if await self.factors.enabled(user.id):
            log.info("sign-in: account %r from %s gave its password; waits for its second factor", name,
                     address or "-")
            raise await self._second_step(user, known)
        await self.limiter.succeeded(name, address)
        session, token = await self._start(user, "session")
        log.info("signed in: account %r from %s (session %s%s)", name, address or "-", session.id,
                 ", known device" if known else "")
        return user, token

    async def _second_step(self, user: User, known: bool) -> Unauthenticated:
        """401 second_factor_required: the challenge, and with security keys
        the assertion options for it (their challenge is bound to this one)."""
        keys = await self.factors.keys.count(user.id) > 0
        key_challenge = new_key_challenge() if keys else ""
        challenge = await self.challenges.issue(user.id, known, key_challenge)
        options = await self.factors.keys.assertion_options(user.id, key_challenge) if keys else None
        return second_factor_required(challenge, await self.factors.totp_on(user.id), options)

    async def login_second_factor(self, challenge: str, code: str | None, address: str | None,
                                  credential: dict[str, Any] | None = None) -> tuple[User, str]:
        """The second step of a sign-in: the challenge from the password step
        and a TOTP or recovery code, or a security key's assertion, make the
        session. A spent, expired or unknown challenge answers
        challenge_invalid (sign in again)."""
        pending = await self.challenges.get(challenge)
        user = await self.users.get(pending.user_id) if pending else None
        if pending is None or user is None:
            raise Unauthenticated("This sign-in has expired or was already used; sign in again.",
                                  code="challenge_invalid")
        if user.disabled:
            raise Forbidden("This account is disabled.", code="account_disabled")
        try:
            if credential is not None:
                if not pending.key_challenge:
                    await self.challenges.spend(challenge)  # the account had no key when the password was given
                    raise Unauthenticated("This sign-in offered no security key; sign in again.",
                                          code="challenge_invalid")
                await self.factors.check_key(user, credential, pending.key_challenge, address, known=pending.known,
                                             unauthenticated=Unauthenticated)
            else:
                await self.factors.check_code(user, code or "", address, known=pending.known,
                                              unauthenticated=Unauthenticated)
        except Unauthenticated:
            await self.challenges.wrong(challenge, pending)
            raise
        await self.challenges.spend(challenge)
        await self.limiter.succeeded(user.username, address)
        session, token = await self._start(user, "session")
        log.info("signed in: account %r from %s (session %s, with second factor)", user.username, address or "-",
                 session.id)
        return user, token

    async def _known_device(self, name: str, address: str | None, session_token: str | None) -> bool:
        if await self.limiter.known(name, address):
            return True
        if not session_token:
            return False
        try:
            user, _ = await self.authenticate(session_token)
        except (Unauthenticated, Forbidden):
            return False
        return user.username == name

    async def logout(self, session: Session) -> None:
        await self.auth.delete_session(session.id)

    # -- own account ----------------------------------------------------

    async def update_profile(self, me: User, changes: dict[str, Any], version: int) -> User:
        cleaned = rules.profile_changes(changes)
        if cleaned.get("avatar", me.avatar) not in (None, me.avatar):
            # Set by upload only: a typed-in id could be someone else's face.
            raise Invalid("Upload an avatar with PUT /api/v1/me/avatar.", code="avatar_upload_required")
        return await self.users.update(me.id, cleaned, version=version)

    async def change_password(self, me: User, session: Session, current: str, new: str) -> None:
        """Ends every other login session of the user; this one and API tokens stay.
        Needs a recent step-up on `session`."""
        require_recent(session)
        rules.password(new)
        await self.confirm(me, current, "password change")
        await require_strong(new, self.config.auth.min_password_score, me.username, me.display_name, current)
        keep = session.id if session.kind == "session" else None
        await self.users.set_password(me.id, await self.passwords.hash(new), keep_session_id=keep, end_sessions=True)
        log.info("password changed: account %r; its other sessions ended", me.username)

    async def confirm(self, me: User, password: str, action: str) -> None:
        """The one check before a change to the account itself (its password,
        deleting it): the current password, under the login limits. A second
        factor or a recent step-up belongs here, so every such change gets it."""
        await self.limiter.check(me.username, None)
        if not await self.passwords.verify(await self.users.password_hash(me.id), password):
            await self.limiter.failed(me.username, None)
            log.warning("%s refused: account %r (wrong current password)", action, me.username)
            raise Forbidden("The current password is wrong.", code="wrong_password")

    async def create_token(self, me: User, session: Session | None, name: str,
                           expires_days: int | None = None) -> tuple[Session, str]:
        """Needs a recent step-up on `session` (a token outlives every sign-in)."""
        require_recent(session)
        label = clean(name, single_line=True).strip()
        if not 1 <= len(label) <= 64:
            raise Invalid("A token name is 1 to 64 characters.", code="invalid_name")
        if await self.auth.count_sessions(me.id, "token") >= rules.MAX_TOKENS:
            raise Conflict(f"At most {rules.MAX_TOKENS} API tokens; revoke one first.", code="too_many_tokens")
        return await self._start(me, "token", label, expires_days)

    async def list_tokens(self, me: User) -> list[Session]:
        return await self.auth.list_sessions(me.id, "token")

    async def revoke_token(self, me: User, token_id: str) -> None:
        if not await self.auth.delete_session(token_id, user_id=me.id, kind="token"):
            raise NotFound("No such API token.")

    async def revoke_all_tokens(self, me: User) -> int:
        return await self.auth.delete_sessions(me.id, "token")

    async def put_key(self, me: User, device_id: str, x25519: str, ed25519: str, sig: str) -> User:
        key = DeviceKey(device_id=rules.device_id(device_id), x25519=rules.public_key("x25519", x25519),
                        ed25519=rules.public_key("ed25519", ed25519), created_at=clock.now())
        key.sig = rules.device_signature(key.device_id, key.x25519, key.ed25519, sig)
        return await self.users.put_key(me.id, key, max_devices=rules.MAX_DEVICES)

    async def delete_key(self, me: User, device_id: str) -> User:
        user = await self.users.delete_key(me.id, device_id)
        if user is None:
            raise NotFound("No keys for this device.")
        return user

    # -- other users (public view only) ---------------------------------

    async def public_user(self, user_id: str) -> PublicUser:
        user = await self.users.get(user_id)
        if user is None:
            raise NotFound("No such user.")
        return PublicUser.of(user)

    async def search(self, query: str, limit: int) -> list[PublicUser]:
        q = clean(query, single_line=True).strip()[:64]
        return [PublicUser.of(u) for u in await self.users.search(q, limit)]
