"""`chatd user disable` on the box while the server runs: another process
writes the database, with no bus to tell the server. The server still must
honour it promptly (docs/architecture.md): REST within a second (the
session cache's bound) and the user's open sockets closed with 4403 once
the sequencer's poll of the event log sees the change (2 to 4 s)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import httpx

from chatd.bench.server import BENCH_ENV


async def test_cli_disable_reaches_a_running_server(server, api, connect):
    bob = await api.user("bob")
    b = await connect(bob)
    await b.ready()
    await api.call(bob, "GET", "/api/v1/me", 200)  # his session is now warm in any cache
    # As the server runs (BENCH_ENV: its made-up pepper, which the CLI needs to open the database).
    environ = {**{k: v for k, v in os.environ.items() if not k.startswith("CHATD_")}, **BENCH_ENV}
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "chatd", "user", "disable", bob.name, "--config",
                         str(server.config_path)], capture_output=True, text=True, timeout=60, env=environ)
    refused_after = None
    start = time.monotonic()
    assert done.returncode == 0 and done.stdout.strip() == f"{bob.name}: disabled", done.stderr
    while time.monotonic() - start < 3.0:
        r = await api.call(bob, "GET", "/api/v1/me")
        if r.status_code != 200:
            refused_after = time.monotonic() - start
            break
        await asyncio.sleep(0.05)
    assert refused_after is not None and refused_after <= 1.0, refused_after
    assert r.status_code == 403 and r.json()["code"] == "account_disabled", r.text
    code, reason, seen = await b.closed(timeout=8.0)
    assert (code, reason) == (4403, "account_disabled"), (code, reason, seen)
    r = httpx.post(f"{server.url}/api/v1/auth/login", json={"username": bob.name, "password": "correct horse battery"},
                   trust_env=False)
    assert r.status_code in (401, 403), r.text
