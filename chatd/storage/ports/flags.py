"""Port: feature flag states an admin set at run time (they outlive restarts).

A flag with no stored state follows chatd.toml ([features]); see
services/features.py.
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from chatd.domain.flags import FlagState


class StoredFlag(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    state: FlagState
    # Who set it (a user id, or "cli" for `chatd flags set`) and when (ms).
    updated_by: str
    updated_at: int


class FlagStore(Protocol):
    async def all(self) -> dict[str, StoredFlag]:
        """Every stored state, by flag name."""
        ...

    async def put(self, flag: StoredFlag) -> None:
        """Store (insert or replace) one flag's state."""
        ...

    async def delete(self, name: str) -> bool:
        """Forget a stored state (the flag follows chatd.toml again); True if one was there."""
        ...
