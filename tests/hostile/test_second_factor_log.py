"""Two-step sign-in leaves no secret in the log, at DEBUG: not the TOTP
secret, its URI, a code, a recovery code or a sign-in challenge; and its
events are logged for the admin (enrolment, sign-in waiting for a code,
refused codes, a recovery code used, turned off)."""

from __future__ import annotations

import logging

import pytest

from tests.api.account_helpers import PASSWORD
from tests.api.second_factor_helpers import Clock, code_step, other_code, password_step
from tests.conftest import register


async def test_two_step_sign_in_logs_events_but_no_secret(client, caplog, monkeypatch: pytest.MonkeyPatch):
    caplog.set_level(logging.DEBUG)
    clk = Clock(monkeypatch)
    alice = await register(client, "alice")
    enrolment = (await client.post("/api/v1/me/second-factor/totp", headers=alice.headers)).json()
    confirm_code = clk.next_code(enrolment["secret"])
    codes = (await client.post("/api/v1/me/second-factor/totp/confirm", headers=alice.headers,
                               json={"code": confirm_code})).json()["recovery_codes"]
    challenge = (await password_step(client, "alice")).json()["challenge"]
    sign_in_code = clk.next_code(enrolment["secret"])
    await code_step(client, challenge, other_code(sign_in_code))
    await code_step(client, challenge, sign_in_code)
    second = (await password_step(client, "alice")).json()["challenge"]
    await code_step(client, second, codes[0])
    await client.post("/api/v1/auth/reauth", headers=alice.headers, json={"password": PASSWORD, "code": codes[1]})
    await client.post("/api/v1/me/second-factor/totp/disable", headers=alice.headers,
                      json={"password": PASSWORD, "code": codes[2]})
    text = caplog.text + "".join(str(r.args) + str(r.__dict__) for r in caplog.records)
    secrets = {"secret": enrolment["secret"], "uri": enrolment["otpauth_uri"], "confirm code": confirm_code,
               "sign-in code": sign_in_code, "challenge": challenge, "second challenge": second,
               **{f"recovery code {i}": c for i, c in enumerate(codes[:3])}}
    leaked = [name for name, secret in secrets.items() if secret in text]
    assert not leaked, leaked
    for line in ("account 'alice' began TOTP enrolment", "account 'alice' turned TOTP on",
                 "waits for its second factor", "second factor refused: account 'alice'",
                 "with second factor", "account 'alice' used a recovery code", "account 'alice' turned TOTP off"):
        assert line in caplog.text, line
