"""The media tests: two members of a direct conversation and an outsider."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.api.message_helpers import direct
from tests.conftest import Account, register


@dataclass
class Trio:
    alice: Account
    bob: Account
    eve: Account  # in no conversation with them
    conv: str


@pytest.fixture
async def trio(client) -> Trio:
    alice, bob, eve = [await register(client, n) for n in ("alice", "bob", "eve")]
    return Trio(alice, bob, eve, await direct(client, alice, bob))
