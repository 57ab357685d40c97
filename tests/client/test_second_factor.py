"""chatd.client and two-step sign-in, against a real served app: enrol,
sign in with a code (given or asked for), step up, turn it off."""

from __future__ import annotations

import time

import pytest

from chatd.client import ChatdError, Client
from chatd.services.second_factor import totp
from tests.client.conftest import PASSWORD


async def test_enrol_sign_in_with_a_code_step_up_and_turn_off(new_client, served) -> None:
    alice = await new_client("alice")
    name = (await alice.me()).username
    enrolment = await alice.begin_totp()
    secret = enrolment["secret"]
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/")
    now = time.time()
    codes = await alice.confirm_totp(totp.code_at(secret, now))
    assert len(codes) == 10 and (await alice.second_factor())["totp"] is True

    async with Client(served.url, trust_env=False) as other:
        with pytest.raises(ChatdError) as err:
            await other.login(name, PASSWORD)
        assert err.value.code == "second_factor_required" and other.token is None
        asked = []

        async def prompt() -> str:  # asked only once the password was right
            asked.append(True)
            return totp.code_at(secret, now + 30)

        login = await other.login_with_code(name, PASSWORD, prompt)
        assert asked == [True] and login.token and (await other.me()).username == name
        await other.reauth(PASSWORD, codes[0])
        assert (await other.create_token("bot")).token
        with pytest.raises(ChatdError) as err:
            await other.reauth(PASSWORD, codes[0])  # spent
        assert err.value.code == "invalid_code"
        await other.disable_totp(PASSWORD, codes[1])
        assert (await other.second_factor())["totp"] is False


async def test_an_account_with_only_a_security_key_is_told_plainly(new_client, served) -> None:
    from tests.api.webauthn_helpers import KEYS, SoftKey

    alice = await new_client("keyonly")
    name = (await alice.me()).username
    keys = KEYS.removeprefix("/api/v1")
    options = (await alice.call("POST", keys + "/options"))["publicKey"]
    await alice.call("POST", keys, json={"name": "usb", "credential": SoftKey().create(options, origin=served.url)})
    async with Client(served.url, trust_env=False) as other:
        asked = []
        with pytest.raises(ChatdError) as err:
            await other.login_with_code(name, PASSWORD, lambda: asked.append(True) or "123456")
        assert err.value.code == "security_key_only" and asked == [] and other.token is None
        assert "security key" in str(err.value) and "web app" in str(err.value) and "CHATD_TOKEN" in str(err.value)
