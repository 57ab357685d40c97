"""POST /api/v1/auth/password-strength: the live meter of the sign-up and
password-change forms (services/password_meter.py). The candidate travels
in the body, so it is in no URL or access log line."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from chatd.api.client_address import client_address
from chatd.services.password_strength import Strength
from chatd.services.registry import Services


class Candidate(msgspec.Struct, forbid_unknown_fields=True):
    password: Annotated[str, msgspec.Meta(max_length=1024)]
    # What else the form holds (username, display name, the current
    # password): the server's check counts them as easy guesses.
    hints: Annotated[list[Annotated[str, msgspec.Meta(max_length=256)]], msgspec.Meta(max_length=4)] = []


@post("/api/v1/auth/password-strength", status_code=200, tags=["auth"], exclude_from_auth=True)
async def password_strength(request: Request, data: JSONBody[Candidate], services: NamedDependency[Services]) -> Strength:
    """Score a candidate password with the same rule sign-up and password
    change apply (zxcvbn, auth.min_password_score): `acceptable` is what they
    would decide. Never logged or stored; 120 a minute per client address."""
    return await services.password_meter.score(client_address(request, services.config), data.password, data.hints)


PASSWORD_METER_ROUTES = [password_strength]
