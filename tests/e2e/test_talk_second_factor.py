"""`chatd talk` for an account with two-step sign-in: after the password it
reads the code (a line on stdin with --password-stdin) and chats."""

from __future__ import annotations

import time

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from chatd.client import Client
from chatd.services.second_factor import totp
from tests.e2e.talk_harness import PASSWORD, Terminal


@pytest.fixture
async def server(tmp_path):
    proc = ServerProcess(tmp_path, env=BENCH_ENV)
    await proc.start()
    try:
        yield proc
    finally:
        assert proc.stop() == 0, proc.log_tail()


async def test_talk_asks_for_the_code_and_signs_in(server):
    async with Client(server.url) as alice:
        await alice.register("alice", PASSWORD)
        secret = (await alice.begin_totp())["secret"]
        await alice.confirm_totp(totp.code_at(secret, time.time()))
    async with Client(server.url) as bob:
        await bob.register("bob", PASSWORD)
    wrong = Terminal("alice", "--with", "bob", "--url", server.url, "--password-stdin", tty=False)
    wrong.type("123\n")
    assert await wrong.exit_code(timeout=20) != 0
    assert "invalid_code" in wrong.text or "Wrong or already used code" in wrong.text
    term = Terminal("alice", "--with", "bob", "--url", server.url, "--password-stdin", tty=False)
    try:
        term.type(totp.code_at(secret, time.time() + 30) + "\n")
        await term.expect("talking with bob", timeout=20)
    finally:
        term.kill()
