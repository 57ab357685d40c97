"""Rotating auth.second_factor_key (ASVS 6.4.1): the old key moves to
auth.second_factor_previous_keys, secrets sealed with it still open, new
ones are sealed with the new key; `chatd reseal` moves every secret to the
new key, after which the old one can be dropped. Dropping it too early
stops the start with one line naming the accounts, never a silent lock-out."""

from __future__ import annotations

import asyncio
import base64
import os

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.commands import reseal
from chatd.config import ConfigError
from chatd.runtime import start_runtime
from chatd.keys.local import LocalKeyRing
from chatd.services.second_factor.sealing import SecretSealer
from tests.api.account_helpers import sql_value
from tests.api.second_factor_helpers import Clock, code_step, enrol, password_step
from tests.conftest import register


@pytest.fixture
def clk(monkeypatch):
    return Clock(monkeypatch)


def keygen() -> str:
    return base64.b64encode(os.urandom(32)).decode()


async def signs_in(c: AsyncTestClient, clk: Clock, name: str, secret: str) -> None:
    challenge = (await password_step(c, name)).json()["challenge"]
    r = await code_step(c, challenge, clk.next_code(secret))
    assert r.status_code == 200 and r.json()["token"], r.text


def sealer(*keys: bytes) -> SecretSealer:
    return SecretSealer(LocalKeyRing(factor_keys=list(keys)))


async def stored(c: AsyncTestClient, account) -> str:
    return await sql_value(c, "SELECT secret FROM totp_factors WHERE user_id = $1", account.id)


async def test_a_key_is_rotated_resealed_and_dropped_without_losing_a_factor(config_with, clk, capsys):
    old, new = keygen(), keygen()
    async with AsyncTestClient(create_app(config_with(auth={"second_factor_key": old}))) as c:
        alice = await register(c, "alice")
        alice_secret, _ = await enrol(c, alice, clk)

    rotated = config_with(auth={"second_factor_key": new, "second_factor_previous_keys": [old]})
    async with AsyncTestClient(create_app(rotated)) as c:
        await signs_in(c, clk, "alice", alice_secret)  # sealed with the old key: still opens
        bob = await register(c, "bob")
        bob_secret, _ = await enrol(c, bob, clk)
        new_key, old_key = base64.b64decode(new), base64.b64decode(old)
        assert await sealer(new_key).opening_key(bob.id, await stored(c, bob)) == 0  # new ones: the new key
        assert await sealer(new_key, old_key).opening_key(alice.id, await stored(c, alice)) == 1

        # Beside the running server, as an operator would.
        assert await asyncio.to_thread(reseal.run, rotated) == 0
        said = capsys.readouterr().out
        assert "1 sealed again with auth.second_factor_key, 1 already were" in said, said
        assert "auth.second_factor_previous_keys can be emptied" in said
        assert await sealer(new_key).opening_key(alice.id, await stored(c, alice)) == 0
        await signs_in(c, clk, "alice", alice_secret)
        assert await asyncio.to_thread(reseal.run, rotated) == 0  # twice is harmless
        assert "0 sealed again with auth.second_factor_key, 2 already were" in capsys.readouterr().out

    async with AsyncTestClient(create_app(config_with(auth={"second_factor_key": new}))) as c:  # the old key gone
        await signs_in(c, clk, "alice", alice_secret)
        await signs_in(c, clk, "bob", bob_secret)


async def test_dropping_a_key_before_resealing_stops_the_start_naming_the_accounts(config_with, clk, capsys):
    old, new = keygen(), keygen()
    async with AsyncTestClient(create_app(config_with(auth={"second_factor_key": old}))) as c:
        alice = await register(c, "alice")
        alice_secret, _ = await enrol(c, alice, clk)

    for auth in ({"second_factor_key": new}, {"second_factor_key": ""}):
        with pytest.raises(ConfigError) as refused:
            await start_runtime(config_with(auth=auth))
        said = str(refused.value)
        assert said.startswith("auth.second_factor_key: the two-step sign-in secrets of 1 account(s) (alice) open "
                               "with neither auth.second_factor_key nor any of auth.second_factor_previous_keys"), said
        assert "\n" not in said and old not in said and new not in said
    # reseal cannot move what it cannot open: it says so and changes nothing.
    assert await asyncio.to_thread(reseal.run, config_with(auth={"second_factor_key": new})) == 1
    assert "1 open with no configured key and were left as they are: alice" in capsys.readouterr().out

    # The old key back as a previous one: it starts, and alice signs in as before.
    async with AsyncTestClient(create_app(config_with(auth={"second_factor_key": new,
                                                            "second_factor_previous_keys": [old]}))) as c:
        await signs_in(c, clk, "alice", alice_secret)


async def test_secrets_kept_plain_before_a_key_are_sealed_by_reseal(config_with, clk, capsys):
    async with AsyncTestClient(create_app(config_with())) as c:  # no key: kept as "plain:"
        alice = await register(c, "alice")
        alice_secret, _ = await enrol(c, alice, clk)
    key = keygen()
    keyed = config_with(auth={"second_factor_key": key})
    assert await asyncio.to_thread(reseal.run, keyed) == 0
    assert "1 sealed again" in capsys.readouterr().out
    async with AsyncTestClient(create_app(keyed)) as c:
        assert (await stored(c, alice)).startswith("v1:") and alice_secret not in await stored(c, alice)
        await signs_in(c, clk, "alice", alice_secret)


async def test_previous_keys_without_a_current_key_are_refused(config_with):
    with pytest.raises(ConfigError, match="auth.second_factor_previous_keys is set but auth.second_factor_key is empty"):
        await start_runtime(config_with(auth={"second_factor_previous_keys": [keygen()]}))
    with pytest.raises(ConfigError, match=r"auth.second_factor_previous_keys\[1\]: expected the base64 of 32 random"):
        from chatd.keys.load import local_ring

        local_ring(config_with(auth={"second_factor_key": keygen(), "second_factor_previous_keys": [keygen(), "x"]}))
