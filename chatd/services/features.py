"""Feature flags at run time: what is on for whom, and admins changing it.

Every process keeps the states in memory (a few rows), so asking costs no
query unless an allow-list names usernames or roles (then one user lookup).
Initial states come from chatd.toml [features]; a state an admin set (API or
`chatd flags set`) is stored and wins. Other processes (another server on the
same PostgreSQL, the `chatd flags` command) change the table behind our back:
`refresh()` re-reads it, and the real-time side calls it every few seconds and
after its own changes, then tells connected clients (see realtime/flag_watch.py).
"""

from __future__ import annotations

from collections.abc import Callable

from chatd import clock
from chatd.config import Config
from chatd.domain import User
from chatd.domain.flags import OFF, ON, FlagState, FlagView, on_by_id, on_for, parse_label
from chatd.errors import Invalid, NotFound
from chatd.flags import FLAGS
from chatd.services.account_admin import require_admin
from chatd.storage.ports.flags import FlagStore, StoredFlag
from chatd.storage.ports.users import UserStore


def configured(config: Config) -> dict[str, FlagState]:
    """The states chatd.toml gives (a flag it does not name keeps its default)."""
    out = {}
    for name, flag in FLAGS.items():
        value = getattr(config.features, name, flag.default)
        out[name] = (ON if value else OFF) if isinstance(value, bool) else FlagState(percent=parse_label(value))
    return out


class Features:
    def __init__(self, config: Config, store: FlagStore, users: UserStore):
        self.base = configured(config)
        self.store = store
        self.users = users
        self.stored: dict[str, StoredFlag] = {}
        # Called after a change this process made (the real-time side hooks it).
        self.on_change: Callable[[], None] | None = None

    def state(self, name: str) -> FlagState:
        stored = self.stored.get(name)
        return stored.state if stored is not None else self.base[name]

    async def refresh(self) -> bool:
        """Re-read the stored states; True when they changed."""
        fresh = {n: f for n, f in (await self.store.all()).items() if n in FLAGS}
        changed = fresh != self.stored
        self.stored = fresh
        return changed

    async def on(self, name: str, user_id: str) -> bool:
        state = self.state(name)
        decided = on_by_id(name, state, user_id)
        if decided is not None:
            return decided
        user = await self.users.get(user_id)
        return user is not None and on_for(name, state, user)

    def for_user(self, user: User) -> dict[str, bool]:
        return {name: on_for(name, self.state(name), user) for name in FLAGS}

    async def require(self, name: str, user_id: str) -> None:
        """A feature that is off for the caller answers as if it did not exist."""
        if not await self.on(name, user_id):
            raise NotFound(f"The {name} feature is not enabled for you.", code="feature_disabled")

    # --- admins ---
    def describe(self, actor: User | None = None) -> list[FlagView]:
        require_admin(actor)
        out = []
        for name, flag in FLAGS.items():
            stored = self.stored.get(name)
            state = self.state(name)
            out.append(FlagView(name=name, description=flag.description, default=flag.default, state=state.label,
                                percent=state.percent, users=state.users, roles=state.roles,
                                source="runtime" if stored else "config",
                                updated_by=stored.updated_by if stored else None,
                                updated_at=stored.updated_at if stored else None))
        return out

    async def set(self, name: str, state: FlagState, *, actor: User | None, by: str | None = None) -> FlagView:
        """Store a flag's state (actor None: the `chatd flags` command)."""
        require_admin(actor)
        if name not in FLAGS:
            raise NotFound(f"No feature flag is named {name!r}.", code="flag_not_found",
                           extra={"flags": sorted(FLAGS)})
        bad_roles = sorted(set(state.roles) - {"admin", "member", "guest"})
        if bad_roles:
            raise Invalid(f"Unknown roles: {', '.join(bad_roles)} (admin, member, guest).", code="invalid_role")
        state = FlagState(percent=state.percent, users=list(dict.fromkeys(state.users)),
                          roles=list(dict.fromkeys(state.roles)))
        who = actor.id if actor is not None else (by or "cli")
        await self.store.put(StoredFlag(name=name, state=state, updated_by=who, updated_at=clock.to_ms(clock.now())))
        await self.refresh()
        if self.on_change is not None:
            self.on_change()
        return next(v for v in self.describe(actor) if v.name == name)
