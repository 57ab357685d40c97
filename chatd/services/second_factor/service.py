"""Two-step sign-in for one's own account: TOTP enrolment, confirmation with
recovery codes, checking a code (TOTP or recovery), turning it off, re-auth
(step-up), and the admin rule (auth.admin_second_factor). Security keys
(security_keys.py) are the other factor: either one makes two-step sign-in on.

Every wrong code counts toward the login limiter (services/login_limit.py)
exactly like a wrong password, so codes cannot be guessed faster than
passwords; a code is accepted once only (the store refuses replays).
"""

from __future__ import annotations

import logging
from typing import Any


from chatd import clock
from chatd.config import Config
from chatd.domain import User
from chatd.domain.auth import Session
from chatd.errors import Conflict, Forbidden, Unauthenticated
from chatd.services.login_limit import LoginLimiter
from chatd.services.passwords import Passwords
from chatd.services.second_factor import recovery, totp
from chatd.services.second_factor.challenge import CHALLENGE_SECONDS
from chatd.services.second_factor.sealing import SecretSealer
from chatd.services.second_factor.security_keys import SecurityKeys
from chatd.services.second_factor.step_up import require_recent
from chatd.services.security_activity import SecurityActivity, Where
from chatd.storage.ports.auth import AuthStore
from chatd.storage.ports.expiring import ExpiringStore
from chatd.storage.ports.second_factors import SecondFactorStore
from chatd.storage.ports.users import UserStore

log = logging.getLogger("chatd.auth")

ISSUER = "chatd"
# What a refused proof answers; which of them is never told apart further.
REFUSED = {"invalid_code": "Wrong or already used code.",
           "invalid_assertion": "The security key's answer was refused (another key, account, challenge or origin, "
                                "or used already)."}
ENROL_HINT = ("Turn on two-step sign-in first: Settings > Two-step sign-in in the web app, or "
              "POST /api/v1/me/second-factor/totp and then /api/v1/me/second-factor/totp/confirm.")


def second_factor_required(challenge: str, totp_on: bool, webauthn: dict[str, Any] | None) -> Unauthenticated:
    """The password step's answer for an account with two-step sign-in: no
    session yet. `webauthn`: the assertion options when it has security keys."""
    methods = (["totp", "recovery_code"] if totp_on else []) + (["webauthn"] if webauthn else [])
    how = []
    if totp_on:
        how.append("enter the code from your authenticator app (or a recovery code): POST /api/v1/auth/login/second-factor")
    if webauthn:
        how.append("use your security key: POST /api/v1/auth/login/security-key")
    extra: dict[str, Any] = {"challenge": challenge, "expires_in": CHALLENGE_SECONDS, "methods": methods}
    if webauthn:
        extra["webauthn"] = webauthn
    return Unauthenticated("Two-step sign-in: " + ", or ".join(how) + ".", code="second_factor_required", extra=extra)


class SecondFactors:
    def __init__(self, config: Config, store: SecondFactorStore, users: UserStore, auth: AuthStore,
                 limiter: LoginLimiter, passwords: Passwords, activity: SecurityActivity, cache: ExpiringStore,
                 sealer: SecretSealer):
        self.config, self.store, self.users, self.auth, self.limiter = config, store, users, auth, limiter
        self.passwords = passwords
        self.activity = activity  # the holder hears of a reused code or a spent recovery code
        self.sealer = sealer
        self.keys = SecurityKeys(config, store, cache, activity)

    async def totp_on(self, user_id: str) -> bool:
        stored = await self.store.get_totp(user_id)
        return stored is not None and stored.confirmed_at is not None

    async def enabled(self, user_id: str) -> bool:
        """Two-step sign-in is on: TOTP confirmed, or at least one security key."""
        return await self.totp_on(user_id) or await self.keys.count(user_id) > 0

    async def status(self, me: User) -> dict[str, object]:
        stored = await self.store.get_totp(me.id)
        on = stored is not None and stored.confirmed_at is not None
        keys = await self.keys.count(me.id)
        return {"totp": on, "pending": stored is not None and not on,
                "recovery_codes_left": await self.store.recovery_codes_left(me.id) if on else 0,
                "security_keys": keys, "enabled": on or keys > 0,
                "admin_required": self.config.auth.admin_second_factor == "required" and me.role == "admin"}

    # -- enrolment --------------------------------------------------------

    async def begin(self, me: User, session: Session) -> tuple[str, str]:
        """A new secret (not in force until confirmed) and its otpauth:// URI.
        Needs a recent step-up: a stolen session must not bind its own app."""
        require_recent(session)
        secret = totp.new_secret()
        await self.store.begin_totp(me.id, await self.sealer.seal(me.id, secret), clock.now())
        log.info("second factor: account %r began TOTP enrolment", me.username)
        return secret, totp.otpauth_uri(secret, me.username, ISSUER)

    async def confirm(self, me: User, session: Session, code: str, address: str | None) -> list[str]:
        """Put the enrolment in force with a valid code; answers the ten
        recovery codes, shown this once (only their hashes are kept)."""
        stored = await self.store.get_totp(me.id)
        if stored is None:
            raise Conflict("Start enrolment first: POST /api/v1/me/second-factor/totp.", code="no_enrolment")
        if stored.confirmed_at is not None:
            raise Conflict("Two-step sign-in is already on.", code="second_factor_enabled")
        await self.limiter.check(me.username, address)
        step = totp.matching_step(await self.sealer.open(me.id, stored.secret), code.strip(), clock.now().timestamp())
        if step is None:
            await self._failed(me, address, "enrolment code")
        codes = recovery.new_codes()
        if not await self.store.confirm_totp(me.id, step, [recovery.code_hash(me.id, c) for c in codes],
                                             clock.now()):
            raise Conflict("The enrolment changed meanwhile; start again.", code="no_enrolment")
        await self.auth.mark_verified(session.id, clock.now())
        log.info("second factor: account %r turned TOTP on", me.username)
        return codes

    async def disable(self, me: User, session: Session, password: str, code: str, address: str | None) -> None:
        """Needs the password and a current code (or a recovery code) in this
        very request: that is itself the step-up, fresher than any window."""
        if not await self.totp_on(me.id):
            raise Conflict("Two-step sign-in is not on.", code="second_factor_not_enabled")
        await self.check_password(me, password, address)
        await self.check_code(me, code, address)
        await self.store.delete_totp(me.id)
        await self.auth.mark_verified(session.id, clock.now())
        log.warning("second factor: account %r turned TOTP off", me.username)

    async def remove_key(self, me: User, session: Session, key_id: str, where: Where) -> bool:
        """Remove a security key; answers whether two-step sign-in is still on
        (off when it was the last factor: TOTP off and no other key)."""
        await self.keys.remove(me, session, key_id, where)
        still_on = await self.enabled(me.id)
        if not still_on:
            await self.activity.record(me.id, "second_factor_disabled", where, detail="last security key removed")
        return still_on

    async def reset(self, user: User) -> bool:
        """From the local CLI only (root on the box): the owner lost both the
        app and the recovery codes. True if a factor was there."""
        done = await self.store.delete_totp(user.id)
        keys = await self.store.delete_keys(user.id)
        log.warning("second factor: account %r had TOTP and %d security key(s) reset from the command line",
                    user.username, keys)
        return done or keys > 0

    # -- proofs -----------------------------------------------------------

    async def check_password(self, me: User, password: str, address: str | None) -> None:
        await self.limiter.check(me.username, address)
        if not await self.passwords.verify(await self.users.password_hash(me.id), password):
            await self.limiter.failed(me.username, address)
            log.warning("re-authentication refused: account %r from %s (wrong password)", me.username, address or "-")
            raise Forbidden("The password is wrong.", code="wrong_password")

    async def check_code(self, user: User, code: str, address: str | None, *, known: bool = False,
                         unauthenticated: type[Exception] | None = None) -> str:
        """Spend a TOTP code or a recovery code of `user`; answers which kind.
        A wrong, replayed or spent code counts as a failed sign-in."""
        await self.limiter.check(user.username, address, known)
        stored = await self.store.get_totp(user.id)
        used = None
        if stored is not None and stored.confirmed_at is not None:
            used = await self._spend(user, stored.secret, code, address)
        if used is None:
            await self._failed(user, address, "code", known, unauthenticated)
        return used  # type: ignore[return-value]

    async def _spend(self, user: User, sealed: str, code: str, address: str | None) -> str | None:
        typed = code.strip().replace(" ", "")
        now = clock.now()
        if len(typed) == totp.DIGITS and typed.isdigit():
            step = totp.matching_step(await self.sealer.open(user.id, sealed), typed, now.timestamp())
            if step is None:
                return None
            if await self.store.use_totp_step(user.id, step):
                return "totp"
            # A right code of a step already used: a replay (ASVS 2.8.5). Refused, logged by
            # _failed, and told to the holder's devices: whoever sent it may have the password.
            await self.activity.record(user.id, "second_factor_code_reused", Where(address=address))
            return None
        shown = recovery.normalise(code)
        if shown is not None and await self.store.use_recovery_code(user.id, recovery.code_hash(user.id, shown), now):
            log.warning("second factor: account %r used a recovery code", user.username)
            await self.activity.record(user.id, "recovery_code_used", Where(address=address))
            return "recovery_code"
        return None

    async def check_key(self, user: User, credential: dict[str, Any], challenge: str, address: str | None, *,
                        known: bool = False, unauthenticated: type[Exception] | None = None) -> None:
        """A security key's assertion for `challenge`; a refused one counts as a failed sign-in."""
        await self.limiter.check(user.username, address, known)
        if not await self.keys.verify(user, credential, challenge, address):
            await self._failed(user, address, "security key answer", known, unauthenticated, "invalid_assertion")

    async def _failed(self, user: User, address: str | None, what: str, known: bool = False,
                      unauthenticated: type[Exception] | None = None, code: str = "invalid_code") -> None:
        await self.limiter.failed(user.username, address, known)
        log.warning("second factor refused: account %r from %s (wrong or used %s)", user.username, address or "-", what)
        raise (unauthenticated or Forbidden)(REFUSED[code], code=code)

    async def reauth(self, me: User, session: Session, password: str, code: str | None,
                     address: str | None, credential: dict[str, Any] | None = None) -> None:
        """Step-up: the password, and a code or a security key's assertion
        (for POST /auth/reauth/options' challenge) when two-step sign-in is on."""
        await self.check_password(me, password, address)
        if await self.enabled(me.id):
            if credential is not None:
                await self.check_key(me, credential, await self.keys.reauth_challenge(session), address)
            elif not code:
                raise Forbidden("Also send a code from your authenticator (or a recovery code), or a security key's "
                                "answer.", code="second_factor_required")
            else:
                await self.check_code(me, code, address)
        await self.auth.mark_verified(session.id, clock.now())
        log.info("re-authenticated: account %r (session %s)", me.username, session.id)

    # -- admins (ASVS 4.3.1) ----------------------------------------------

    async def require_for_admin(self, user: User) -> None:
        if self.config.auth.admin_second_factor == "required" and user.role == "admin" \
                and not await self.enabled(user.id):
            raise Forbidden("Admins on this server need two-step sign-in. " + ENROL_HINT,
                            code="second_factor_required_for_admin")
