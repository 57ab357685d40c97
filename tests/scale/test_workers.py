"""`chatd serve --workers 2` on PostgreSQL + Redis: granian's supervisor
with two worker processes on one port, each a whole chatd; sockets on any
worker chat live, and SIGTERM stops them all."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from chatd.bench.server import BENCH_ENV, free_port, write_config
from tests.conftest import sql_url
from tests.dumpable import GROUP, dumpable
from tests.realtime.conftest import CONFIG, PASSWORD, REALTIME, Api, Sock


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


@pytest.fixture
def database(request, tmp_path, sqlite_template) -> str:
    return sql_url("postgres", request, tmp_path, sqlite_template)


async def test_two_workers_serve_one_port_and_chat_live(database, tmp_path, redis_server):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sections = {**CONFIG, "realtime": REALTIME,
                "server": {"host": "127.0.0.1", "port": port, "public_url": url, "data_dir": str(tmp_path),
                           "workers": 2},
                "storage": {"database": database, "cache": redis_server.url, "media": f"file:///{tmp_path}/media"}}
    write_config(tmp_path / "chatd.toml", sections)
    log = open(tmp_path / "server.log", "wb")
    # No pepper configured: the supervisor makes data_dir/pepper before the workers start, and both use it.
    env = {k: v for k, v in {**os.environ, **BENCH_ENV}.items() if k != "CHATD_AUTH__PEPPER"}
    proc = subprocess.Popen([sys.executable, "-m", "chatd", "serve", "--config", str(tmp_path / "chatd.toml")],
                            stdout=log, stderr=subprocess.STDOUT, env=env, group=GROUP)
    api = Api(url)
    opened: list[Sock] = []
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=1) as http:
            while True:
                assert proc.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
                try:
                    if (await http.get("/readyz")).status_code == 200 and len(children(proc.pid)) >= 2:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()[-2000:]
                await asyncio.sleep(0.1)
        assert len(children(proc.pid)) == 2  # the supervisor and its two workers
        # Memory dumps forbidden in the supervisor and in each worker (serve_nodump.py).
        assert not any(dumpable(pid) for pid in [proc.pid, *children(proc.pid)])
        ann, bob = await api.user("ann"), await api.user("bob")
        assert (tmp_path / "pepper").exists()
        for _ in range(6):  # new connections, spread over the workers: each checks ann's password alike
            async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=10) as fresh:
                r = await fresh.post("/api/v1/auth/login", json={"username": ann.name, "password": PASSWORD})
                assert r.status_code == 200, r.text
        conv = await api.group(ann, bob)
        for i in range(4):  # several sockets: the kernel spreads them over the workers
            for who in (ann, bob):
                s = await Sock.open(url, who)
                opened.append(s)
                await s.ready()
        sent = await api.post(ann, conv, "to every socket, on whichever worker")
        for s in opened:
            got = await s.until(lambda f: f.get("type") == "message.created", timeout=5)
            assert got["payload"]["id"] == sent["id"]
    finally:
        for s in opened:
            await s.close()
        await api.http.aclose()
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        log.close()
    assert code == 0, (tmp_path / "server.log").read_text()[-2000:]
