"""Helpers for the two-step sign-in tests: a shiftable clock (each TOTP step
is accepted once, so tests move to the next 30 s step) and enrolment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from chatd import clock
from chatd.services.second_factor import totp
from tests.api.account_helpers import PASSWORD
from tests.conftest import Account


class Clock:
    """chatd's clock moved forward by hand (monkeypatched clock.now)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.offset = timedelta(0)
        real = clock.now
        monkeypatch.setattr(clock, "now", lambda: real() + self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def code(self, secret: str, steps_ahead: int = 0) -> str:
        """The code of the current step (or one a step ahead, within the drift)."""
        return totp.code_at(secret, clock.now().timestamp() + steps_ahead * totp.STEP_SECONDS)

    def next_code(self, secret: str) -> str:
        """Move to the next step and answer its code: never a replay of the last."""
        self.advance(totp.STEP_SECONDS)
        return self.code(secret)


def other_code(code: str) -> str:
    """A well-formed code that is not `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def enrol(client: AsyncTestClient, who: Account, clk: Clock, **kw: Any) -> tuple[str, list[str]]:
    """Turn TOTP on for `who`; answers (secret, recovery codes)."""
    r = await client.post("/api/v1/me/second-factor/totp", headers=who.headers, **kw)
    assert r.status_code == 201, r.text
    secret = r.json()["secret"]
    r = await client.post("/api/v1/me/second-factor/totp/confirm", headers=who.headers,
                          json={"code": clk.next_code(secret)}, **kw)
    assert r.status_code == 200, r.text
    return secret, r.json()["recovery_codes"]


async def password_step(client: AsyncTestClient, username: str, password: str = PASSWORD, **kw: Any) -> Any:
    return await client.post("/api/v1/auth/login", json={"username": username, "password": password}, **kw)


async def code_step(client: AsyncTestClient, challenge: str, code: str, **kw: Any) -> Any:
    return await client.post("/api/v1/auth/login/second-factor", json={"challenge": challenge, "code": code}, **kw)


async def enrol_now(client: AsyncTestClient, who: Account) -> str:
    """Turn TOTP on for `who` at the real time (one code used); answers the secret."""
    r = await client.post("/api/v1/me/second-factor/totp", headers=who.headers)
    assert r.status_code == 201, r.text
    secret = r.json()["secret"]
    code = totp.code_at(secret, clock.now().timestamp())
    r = await client.post("/api/v1/me/second-factor/totp/confirm", headers=who.headers, json={"code": code})
    assert r.status_code == 200, r.text
    return secret


async def at_code_step(client: AsyncTestClient, clk: Clock, name: str = "alice") -> tuple[Account, str, str]:
    """A registered, enrolled `name` whose password step is done:
    (account, secret, challenge)."""
    from tests.conftest import register

    who = await register(client, name)
    secret, _ = await enrol(client, who, clk)
    challenge = (await password_step(client, name)).json()["challenge"]
    return who, secret, challenge
