"""Port: server settings an admin changed at run time (they outlive restarts).

A few named values (today only "registration"), each a short string. A name
with no stored value follows chatd.toml; deleting it goes back to the file.
Not the feature flag store (ports/flags.py): each of its rows is a rollout
state (percent, users, roles) decoded as such, which a plain value is not.
"""

from __future__ import annotations

from typing import Protocol


class SettingsStore(Protocol):
    async def get(self, name: str) -> str | None:
        """The stored value, or None when an admin never set it (or reset it)."""
        ...

    async def put(self, name: str, value: str, *, updated_by: str) -> None:
        """Store (insert or replace) one value; `updated_by` is a user id or "cli"."""
        ...

    async def delete(self, name: str) -> bool:
        """Forget a stored value (chatd.toml applies again); True if one was there."""
        ...
