"""Account-side records the owner or an admin may see: sessions, personal API
tokens and invites. The secrets themselves (tokens, invite codes, password
hashes) are never on these types; only their sha256/argon2 forms are stored."""

from datetime import datetime
from typing import Literal

from chatd.domain.base import Entity

SessionKind = Literal["session", "token"]


class Session(Entity, kw_only=True):
    """A login session (kind "session") or a personal API token (kind "token")."""

    id: str
    user_id: str
    kind: SessionKind
    name: str = ""
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime | None = None
    # When its user last proved a factor on it (password, TOTP): step-up.
    verified_at: datetime | None = None


class ApiToken(Entity, kw_only=True):
    """A personal API token as its owner lists it (never the secret)."""

    id: str
    name: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime | None = None

    @classmethod
    def of(cls, session: Session) -> "ApiToken":
        return cls(
            id=session.id,
            name=session.name,
            created_at=session.created_at,
            last_used_at=session.last_used_at,
            expires_at=session.expires_at,
        )


class SecurityKey(Entity, kw_only=True):
    """A security key or passkey as its owner lists it (never its credential
    id or public key: nothing to sign in with, little to fingerprint)."""

    id: str
    name: str
    transports: list[str] = []
    created_at: datetime
    last_used_at: datetime | None = None


class LoginSession(Entity, kw_only=True):
    """A signed-in browser or client as its owner lists it (never the secret):
    `current` marks the one this request came with."""

    id: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime | None = None
    current: bool = False

    @classmethod
    def of(cls, session: Session, current_id: str | None) -> "LoginSession":
        return cls(id=session.id, created_at=session.created_at, last_used_at=session.last_used_at,
                   expires_at=session.expires_at, current=session.id == current_id)


class Invite(Entity, kw_only=True):
    id: str
    created_by: str
    max_uses: int
    uses: int = 0
    expires_at: datetime
    created_at: datetime
