"""A full disk under a served chatd (SQLite): sends get a clear 507
problem, nothing acknowledged is lost, reads go on, the server recovers by
itself once there is space again, and the file passes integrity_check.

The disk is a 4 MiB tmpfs mounted for the test (root only); without the
right to mount, RLIMIT_FSIZE on the server process stands in for it (the
kernel then refuses writes past the limit with EFBIG, which SQLite reports
as an I/O error: 503 storage_unavailable). CHATD_TEST_RLIMIT_DISK=1 forces
that fallback."""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chatd.bench.server import BENCH_CONFIG, BENCH_ENV, ServerProcess

PASSWORD = "correct horse battery"
DISK = 4 << 20


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[tuple[Path, bool]]:
    """(a folder on a small filesystem, whether it is a real mount)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = "CHATD_TEST_RLIMIT_DISK" not in os.environ and os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK}", "tmpfs", str(folder)], capture_output=True).returncode == 0
    try:
        yield folder, mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


async def fill(folder: Path, leave: int) -> Path:
    """A filler file that leaves about `leave` bytes free."""
    filler = folder / "filler"
    free = shutil.disk_usage(folder).free
    with filler.open("wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


async def scenario(folder: Path, mounted: bool, template: Path) -> None:
    shutil.copy(template, folder / "chatd.db")
    server = ServerProcess(folder, config=BENCH_CONFIG, env=BENCH_ENV)
    server.log_path = folder.parent / "server.log"  # not on the disk that fills up
    if not mounted:
        limit = (folder / "chatd.db").stat().st_size + (1 << 20)
        original = subprocess.Popen

        def limited(*args, **kw):  # the server process only
            kw["preexec_fn"] = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            return original(*args, **kw)

        subprocess.Popen = limited  # type: ignore[misc]
    try:
        await server.start()
    finally:
        if not mounted:
            subprocess.Popen = original  # type: ignore[misc]
    try:
        async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=10) as http:
            r = await http.post("/api/v1/auth/register", json={"username": "alice", "password": PASSWORD})
            alice = {"Authorization": f"Bearer {r.json()['token']}"}
            r = await http.post("/api/v1/conversations", json={"kind": "group", "title": "t", "member_ids": []},
                                headers=alice)
            path = f"/api/v1/conversations/{r.json()['id']}/messages"
            filler = await fill(folder, 256 << 10) if mounted else None
            acked, refused = [], []
            for i in range(2000):
                r = await http.post(path, json={"client_id": f"m{i}", "body": f"{i} " + "x" * 7000}, headers=alice)
                if r.status_code in (200, 201):
                    acked.append(r.json()["id"])
                else:
                    refused.append(r)
                    if len(refused) >= 3:
                        break
            assert refused, "the disk never filled up"
            status, code = (507, "storage_full") if mounted else (503, "storage_unavailable")
            for r in refused:
                assert r.status_code == status, r.text
                assert r.headers["content-type"] == "application/problem+json"
                assert r.json()["code"] == code
            # Reads go on.
            assert (await http.get("/api/v1/me", headers=alice)).status_code == 200
            # Space again: sends work again without a restart.
            if filler is not None:
                filler.unlink()
                r = await http.post(path, json={"client_id": "after", "body": "room again"}, headers=alice)
                assert r.status_code == 201, r.text
                acked.append(r.json()["id"])
            stored = []
            query: dict = {"after_seq": 0, "limit": 200}
            while True:
                page = (await http.get(path, params=query, headers=alice)).json()
                stored += page["items"]
                if not page["has_more"]:
                    break
                query["after_seq"] = stored[-1]["seq"]
            assert set(acked) <= {m["id"] for m in stored}
            assert [m["seq"] for m in stored] == list(range(1, len(stored) + 1))
    finally:
        server.stop()
    log = server.log_path.read_text(errors="replace") if server.log_path.exists() else ""
    assert "Traceback" not in log, log[-3000:]
    conn = sqlite3.connect(folder / "chatd.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def test_a_full_disk_is_a_clear_507_and_corrupts_nothing(small_disk, sqlite_template):
    folder, mounted = small_disk
    asyncio.run(scenario(folder, mounted, sqlite_template))
