"""Uploads against a real `chatd serve`: a kill -9 in the middle of one leaves
nothing a user can see, and the janitor clears what it left on disk."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from chatd.bench.server import BENCH_ENV, ServerProcess

PASSWORD = "correct horse battery"
BOUNDARY = "chatdtestboundary"


async def _scene(http: httpx.AsyncClient) -> tuple[dict, str]:
    tokens = []
    for name in ("ann", "bob"):
        r = await http.post("/api/v1/auth/register", json={"username": name, "password": PASSWORD})
        tokens.append((r.json()["token"], r.json()["user"]["id"]))
    headers = {"Authorization": f"Bearer {tokens[0][0]}"}
    r = await http.post("/api/v1/conversations", headers=headers, json={"kind": "direct", "user_id": tokens[1][1]})
    return headers, r.json()["id"]


def _partials(data_dir: Path) -> list[Path]:
    return list((data_dir / "media" / ".partial").glob("*"))


async def test_kill_9_mid_upload_leaves_nothing_visible(tmp_path):
    server = ServerProcess(tmp_path, env=BENCH_ENV, config={"limits": {"max_upload_mb": 200}})
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=30) as http:
            headers, conv = await _scene(http)
            sent = asyncio.Event()

            async def body():
                yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
                       "Content-Type: application/octet-stream\r\n\r\n").encode()
                for i in range(100):
                    yield os.urandom(1024 * 1024)
                    if i == 20:
                        sent.set()
                        await asyncio.sleep(30)  # the server dies meanwhile

            upload = asyncio.create_task(http.post(
                f"/api/v1/conversations/{conv}/attachments", content=body(),
                headers={**headers, "content-type": f"multipart/form-data; boundary={BOUNDARY}",
                         "content-length": str(100 * 1024 * 1024 + 200)}))
            await asyncio.wait_for(sent.wait(), 20)
            deadline = time.monotonic() + 10
            while not _partials(tmp_path) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert _partials(tmp_path), "the upload should be streaming to a partial file by now"
            os.kill(server.pid, signal.SIGKILL)
            server.proc.wait(10)
            upload.cancel()
        await server.start()
        async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=10) as http:
            r = await http.get(f"/api/v1/conversations/{conv}/attachments", headers=headers)
            assert r.status_code == 200 and r.json()["items"] == []
    finally:
        server.stop()
    assert not list((tmp_path / "media").glob("att/*/*")), "no blob may appear under a key"
    # The janitor (hourly in the server, or `chatd media gc` now) takes the leftover once it is old.
    for leftover in _partials(tmp_path):
        past = time.time() - 2 * 3600
        os.utime(leftover, (past, past))
    gc = _chatd("media", "gc", "--config", str(server.config_path))
    assert gc.returncode == 0 and "interrupted write(s)" in gc.stdout and " 0 interrupted" not in gc.stdout, gc
    assert _partials(tmp_path) == []
    stats = _chatd("media", "stats", "--config", str(server.config_path))
    assert stats.returncode == 0 and stats.stdout.startswith("attachments  0 (0 B)"), stats


def _chatd(*args: str) -> subprocess.CompletedProcess:
    # The server's environment (BENCH_ENV holds its made-up pepper, which the CLI needs too).
    return subprocess.run([sys.executable, "-m", "chatd", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **BENCH_ENV})
