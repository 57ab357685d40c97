"""Feature flags: what is on for me; admins list and change them."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from chatd.domain.flags import FlagState, FlagView, Names, Percent, parse_label
from chatd.errors import Invalid
from chatd.api import access_log
from chatd.api.security import Me
from chatd.services.registry import Services


class MyFeatures(msgspec.Struct, kw_only=True):
    features: dict[str, bool]


class FlagList(msgspec.Struct, kw_only=True):
    items: list[FlagView]


class FlagIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Exactly one of `state` ("on", "off", "10%") or `percent` (0..100); the
    allow-lists (ids or usernames; roles) are replaced whole, empty if left out."""

    state: Annotated[str, Meta(max_length=16)] | None = None
    percent: Percent | None = None
    users: Names = []
    roles: Annotated[list[Annotated[str, Meta(max_length=16)]], Meta(max_length=3)] = []

    def to_state(self) -> FlagState:
        if (self.state is None) == (self.percent is None):
            raise Invalid("Send exactly one of state (on, off, 10%) or percent (0-100).", code="invalid_flag_state")
        percent = self.percent
        if percent is None:
            try:
                percent = parse_label(self.state or "")
            except ValueError as err:
                raise Invalid(str(err), code="invalid_flag_state") from None
        return FlagState(percent=percent, users=self.users, roles=self.roles)


@get("/api/v1/me/features", tags=["me"])
async def my_features(me: Me, services: NamedDependency[Services]) -> MyFeatures:
    """Every feature flag and whether it is on for the caller."""
    return MyFeatures(features=services.features.for_user(me))


@get("/api/v1/admin/features", tags=["admin"])
async def admin_list_features(me: Me, services: NamedDependency[Services]) -> FlagList:
    """Every flag: what it gates, its default, its state and where that comes from."""
    flags = services.features.describe(me)
    access_log.admin_read(me, "feature flags", len(flags))
    return FlagList(items=flags)


@put("/api/v1/admin/features/{name:str}", tags=["admin"])
async def admin_set_feature(name: FromPath[str], data: JSONBody[FlagIn], me: Me,
                            services: NamedDependency[Services]) -> FlagView:
    """Change a flag now, for every process (stored: it outlives restarts);
    connected clients get a `features.updated` frame."""
    return await services.features.set(name, data.to_state(), actor=me)


FEATURE_ROUTES = [my_features, admin_list_features, admin_set_feature]
