"""A feature flag's state and who it is on for.

A state is a rollout percentage plus allow-lists: the flag is on for a user
whose stable bucket (sha256 of flag name + user id, 0..9999) falls under
the percentage, or who is named in `users` (id or username), or whose role
is in `roles`. Off = 0% and empty lists; on = 100%. Hashing the flag's name
with the id keeps rollouts of different flags independent (the same 10% of
users are not the guinea pigs of every flag), and stable across restarts.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

import msgspec
from msgspec import Meta

from chatd.domain.user import User

BUCKETS = 10_000
Percent = Annotated[float, Meta(ge=0, le=100)]
Names = Annotated[list[Annotated[str, Meta(min_length=1, max_length=64)]], Meta(max_length=1000)]


class FlagState(msgspec.Struct, frozen=True, kw_only=True):
    percent: Percent = 0.0
    users: Names = []
    roles: list[str] = []

    @property
    def label(self) -> str:
        """on, off or N% (allow-lists aside): what `chatd flags list` shows."""
        if self.percent >= 100:
            return "on"
        if self.percent <= 0:
            return "off"
        return f"{self.percent:g}%"


ON, OFF = FlagState(percent=100.0), FlagState()


def bucket(flag: str, user_id: str) -> int:
    """The user's stable place (0..9999) in this flag's rollout."""
    digest = hashlib.sha256(f"{flag}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def on_by_id(flag: str, state: FlagState, user_id: str) -> bool | None:
    """True/False when the id alone decides; None when the allow-lists need
    the user's username or role to tell."""
    if state.percent >= 100 or user_id in state.users:
        return True
    if bucket(flag, user_id) < round(state.percent * BUCKETS / 100):
        return True
    return None if state.users or state.roles else False


def on_for(flag: str, state: FlagState, user: User) -> bool:
    decided = on_by_id(flag, state, user.id)
    if decided is not None:
        return decided
    return user.username in state.users or user.role in state.roles


def parse_label(text: str) -> float:
    """"on" | "off" | "N%" -> a percentage; ValueError otherwise."""
    word = text.strip().lower()
    if word in ("on", "true"):
        return 100.0
    if word in ("off", "false"):
        return 0.0
    if word.endswith("%"):
        value = float(word[:-1])
        if 0 <= value <= 100:
            return value
    raise ValueError(f"{text!r}: expected on, off or a percentage like 10%")


class FlagView(msgspec.Struct, kw_only=True):
    """A flag as admins see it (GET /api/v1/admin/features, `chatd flags list`)."""

    name: str
    description: str
    default: bool
    state: str  # on | off | N% (allow-lists aside)
    percent: float
    users: list[str]
    roles: list[str]
    source: str  # config (chatd.toml) | runtime (set by an admin, stored)
    updated_by: str | None = None
    updated_at: int | None = None  # ms since the epoch
