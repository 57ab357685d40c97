"""User: the own, full view and the public view others get (data minimization)."""

from datetime import datetime
from typing import Any, Literal

from chatd.domain.base import Entity

Role = Literal["admin", "member", "guest"]


class DeviceKey(Entity, kw_only=True):
    """One device's end-to-end encryption keys (base64 of raw public keys)
    and `sig`, the device's Ed25519 signature binding its X25519 key to it
    (docs/e2ee.md; empty for keys published before signatures existed)."""

    device_id: str
    x25519: str
    ed25519: str
    sig: str = ""
    created_at: datetime


class User(Entity, kw_only=True):
    id: str
    username: str
    display_name: str
    avatar: str | None = None
    bio: str = ""
    status_text: str = ""
    role: Role = "member"
    disabled: bool = False
    preferences: dict[str, Any] = {}
    keys: list[DeviceKey] = []
    created_at: datetime
    updated_at: datetime
    last_seen_at: datetime | None = None
    version: int = 1


class PublicUser(Entity, kw_only=True):
    """What any other user may see: never preferences, role or last_seen_at."""

    id: str
    username: str
    display_name: str
    avatar: str | None = None
    bio: str = ""
    status_text: str = ""
    keys: list[DeviceKey] = []

    @classmethod
    def of(cls, user: User) -> "PublicUser":
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            avatar=user.avatar,
            bio=user.bio,
            status_text=user.status_text,
            keys=user.keys,
        )
