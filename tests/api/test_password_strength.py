"""Common, breached and guessable passwords are refused at sign-up, at
password change and by `chatd user create` (ASVS 2.1.7, 2.1.9, 2.1.12):
zxcvbn's offline lists, no composition rules, no password leaves the server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import weakref

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.services import password_strength
from tests.api.account_helpers import PASSWORD, login
from tests.conftest import register
from tests.unit.test_cli import chatd

# On zxcvbn's lists of leaked passwords, or a trivial variant of one.
# (12 characters at least: shorter ones are refused by length first.)
COMMON = ["password1234", "123456789012", "qwertyuiop12", "iloveyou1234", "aaaaaaaaaaaa", "abc123abc123"]


@pytest.mark.parametrize("password", COMMON)
async def test_common_passwords_are_refused_at_sign_up(client, password):
    r = await client.post("/api/v1/auth/register", json={"username": "alice", "password": password})
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == "weak_password" and body["score"] < body["min_score"] == 2
    assert r.headers["content-type"] == "application/problem+json" and f'"{password}"' not in r.text
    assert (await login(client, "alice", password)).status_code == 401  # nothing was created


async def test_a_password_made_of_the_username_is_refused(client):
    r = await client.post("/api/v1/auth/register", json={"username": "marguerite_k", "password": "marguerite_k1"})
    assert r.status_code == 400 and r.json()["code"] == "weak_password"


async def test_long_passphrases_need_no_symbols_or_digits(client):
    await register(client, "alice", "purple elephant dancing quietly")  # no composition rules


async def test_a_weak_new_password_is_refused_and_the_old_one_stays(client):
    alice = await register(client, "alice")
    for new in ["password1234", "alicealice12", PASSWORD + "1"]:
        r = await client.put("/api/v1/me/password", headers=alice.headers, json={"current": PASSWORD, "new": new})
        assert r.status_code == 400 and r.json()["code"] == "weak_password", (new, r.text)
    assert (await login(client, "alice")).status_code == 200


async def test_the_check_is_off_at_score_0(config_with):
    config = config_with(auth={"min_password_score": 0})
    async with AsyncTestClient(create_app(config)) as c:
        await register(c, "alice", "password1234")


def test_the_cli_refuses_a_common_password(tmp_path):
    assert chatd("migrate", cwd=tmp_path).returncode == 0
    weak = chatd("user", "create", "root", "--password-stdin", cwd=tmp_path, stdin="password1234\n")
    assert weak.returncode == 1 and "password" in weak.stderr and "password1234" not in weak.stderr


def test_the_word_lists_are_not_loaded_at_start():
    # ~14 MB that an idle Pi should not carry: loaded on the first check only.
    code = ("import sys; from chatd.app import create_app; from chatd.services import accounts; "
            "print('zxcvbn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_the_word_lists_are_dropped_a_while_after_the_last_check(monkeypatch):
    # A Pi that had one sign-up should not carry ~14 MB for good. Margins of
    # 0.4 s at least: a stalled loop runs a due timer before a test resumes.
    monkeypatch.setattr(password_strength, "LISTS_KEPT_FOR", 1.0)
    weak = await password_strength.rate("password1234", 2)
    assert not weak.acceptable
    lists = weakref.ref(sys.modules["zxcvbn.frequency_lists"])
    await asyncio.sleep(0.6)
    assert (await password_strength.rate("another purple elephant", 2)).acceptable  # moves the drop later
    await asyncio.sleep(0.6)  # past the first check's minute: still there
    assert "zxcvbn" in sys.modules
    await asyncio.sleep(1.0)
    assert not [name for name in sys.modules if name.startswith("zxcvbn")]
    assert lists() is None  # freed, not only forgotten
    assert await password_strength.rate("password1234", 2) == weak  # the next check loads them again
    password_strength.drop_lists()


async def test_the_word_lists_stay_while_a_check_is_in_flight(monkeypatch):
    estimate, reading, finish = password_strength._estimate, threading.Event(), threading.Event()

    def slow(password, hints):
        found = estimate(password, hints)
        reading.set()
        assert finish.wait(10)
        return found

    monkeypatch.setattr(password_strength, "_estimate", slow)
    check = asyncio.create_task(password_strength.rate("purple elephant dancing quietly", 2))
    assert await asyncio.to_thread(reading.wait, 10)
    assert password_strength.drop_lists() is False and "zxcvbn.matching" in sys.modules
    finish.set()
    assert (await check).acceptable
    assert password_strength.drop_lists() is True and "zxcvbn" not in sys.modules
    assert password_strength.drop_lists() is False  # nothing left to drop
