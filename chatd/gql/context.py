"""What every resolver gets: the caller, the services, per-request DataLoaders,
and the REST body types' validation for arguments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec
from strawberry.dataloader import DataLoader

from chatd.domain import User
from chatd.errors import Invalid
from chatd.services.registry import Services

T = TypeVar("T")


async def _no_events() -> None:
    raise RuntimeError("subscriptions need the real-time side")


@dataclass
class Context:
    services: Services
    me: User
    # Subscriptions: returns an awaitable that ends at the next committed
    # event (or a timeout); `still_allowed` re-checks the account and the flag.
    wait_for_events: Callable[[], Callable[[], Awaitable[None]]] = lambda: _no_events
    token: str = ""
    users: DataLoader[str, User | None] = field(init=False)

    def __post_init__(self) -> None:
        async def load_users(ids: list[str]) -> list[User | None]:
            found = await self.services.stores.users.get_many(ids)
            return [found.get(i) for i in ids]

        self.users = DataLoader(load_fn=load_users)

    async def still_allowed(self) -> None:
        """A subscription outlives its request: a disabled account, a logout or
        the graphql flag turned off for this user ends it (as an error)."""
        if self.token:
            self.me, _ = await self.services.accounts.authenticate(self.token)
        await self.services.features.require("graphql", self.me.id)


def body(kind: type[T], raw: dict[str, Any]) -> T:
    """Arguments through the same msgspec body type (limits, shapes) as the
    REST endpoint: the same 400 `invalid` as a GraphQL error."""
    try:
        return msgspec.convert({k: v for k, v in raw.items() if v is not None}, kind)
    except msgspec.ValidationError as err:
        raise Invalid(str(err), code="invalid") from None


def limit(value: int, top: int) -> int:
    if not 1 <= value <= top:
        raise Invalid(f"limit must be between 1 and {top}.", code="invalid")
    return value
