"""A real `chatd serve` logs every sign-in, failed or not, for its
administrator (ASVS 7.1.3, 7.2.1), with no password, token or cookie in the
line (7.1.1), each line stamped in UTC whatever the machine's zone (7.3.4)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import httpx

from chatd.bench.server import BENCH_ENV, ServerProcess

PASSWORD = "correct horse battery"
WRONG = "not the password at all"
LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z (DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+: ")


async def test_sign_ins_are_logged_in_utc_without_secrets(tmp_path):
    # Far from UTC, so a local-time stamp cannot pass for a UTC one.
    server = ServerProcess(tmp_path, env={**BENCH_ENV, "TZ": "Pacific/Kiritimati"})
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
            r = await http.post("/api/v1/auth/register", json={"username": "alice", "password": PASSWORD})
            token = r.json()["token"]
            assert (await http.post("/api/v1/auth/login", json={"username": "alice", "password": WRONG})).status_code == 401
            assert (await http.post("/api/v1/auth/login", json={"username": "nobody", "password": WRONG})).status_code == 401
            r = await http.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
            assert r.status_code == 200
            cookie = r.cookies["chatd_session"]
    finally:
        assert server.stop() == 0, server.log_tail()
    log = server.log_path.read_text()
    lines = [line for line in log.splitlines() if line.strip()]
    assert lines and all(LINE.match(line) for line in lines), log
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for line in lines:
        stamp = datetime.fromisoformat(LINE.match(line).group(1))
        assert now - timedelta(minutes=5) < stamp <= now + timedelta(seconds=1), line
    assert re.search(r"WARNING chatd\.auth: sign-in failed: account 'alice' from 127\.0\.0\.1 \(wrong password\)", log), log
    assert re.search(r"WARNING chatd\.auth: sign-in failed: account 'nobody' from 127\.0\.0\.1", log), log
    assert re.search(r"INFO chatd\.auth: signed in: account 'alice' from 127\.0\.0\.1 \(session \w+", log), log
    for secret in (PASSWORD, WRONG, token, cookie):
        assert secret not in log
