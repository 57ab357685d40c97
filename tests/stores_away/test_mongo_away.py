"""The conversation side's MongoDB stopped under a running chatd: requests
that need it answer 503 problem details naming the store (bounded by the
server-selection timeout, never a 500), /readyz says which, and chatd
carries on by itself once the server is back, with every acknowledged
message still there. The server is a SecantusDB on disk that the test
stops and starts on the same port."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from pathlib import Path

from litestar.testing import AsyncTestClient

from chatd.app import create_app
from tests.api.message_helpers import CONV, group, send
from tests.stores_away.helpers import assert_away
from tests.conftest import make_config, need_server, register, sql_url
from tests.mongo_server import _answers, _free_port


class Secantus:
    def __init__(self, root: Path):
        beside = Path(sys.executable).parent / "secantusd-py"
        self.binary = str(beside) if beside.exists() else shutil.which("secantusd-py")
        if self.binary is None:
            need_server("SecantusDB", FileNotFoundError("secantusd-py is not installed"))
        self.root, self.port = root, _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.root / "secantus.log", "ab")
        self.proc = subprocess.Popen([self.binary, "--host", "127.0.0.1", "--port", str(self.port), "--storage-path",
                                      str(self.root / "data")], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not _answers(self.port):
            assert self.proc.poll() is None and time.monotonic() < deadline, "SecantusDB did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(15)
            self.proc = None


async def _away(c: AsyncTestClient, method: str, path: str, **kw) -> None:
    await assert_away(c, "mongodb", method, path, within=12, **kw)


async def test_mongodb_stopped_and_back(tmp_path: Path, request, sqlite_template) -> None:
    server = Secantus(tmp_path)
    server.start()
    try:
        url = f"mongodb://127.0.0.1:{server.port}/chatd_away?directConnection=true"
        config = make_config(tmp_path, sql_url("sqlite", request, tmp_path, sqlite_template), storage={"messages": url})
        async with AsyncTestClient(create_app(config)) as c:
            ann, bob = await register(c, "ann"), await register(c, "bob")
            conv = await group(c, ann, bob)
            kept = [await send(c, conv, ann, f"before {i}") for i in range(3)]

            await asyncio.to_thread(server.stop)
            await _away(c, "GET", f"{CONV}/{conv}/messages", headers=bob.headers)
            await _away(c, "POST", f"{CONV}/{conv}/messages", json={"client_id": "while-away", "body": "x"},
                        headers=ann.headers)
            r = await c.get("/readyz")
            assert r.status_code == 503 and "messages" in r.json()["failed"], r.text
            assert (await c.get("/api/v1/me", headers=bob.headers)).status_code == 200  # accounts are in SQL

            await asyncio.to_thread(server.start)
            deadline = time.monotonic() + 30
            while (await c.get("/readyz")).status_code != 200:
                assert time.monotonic() < deadline, "chatd did not recover"
                await asyncio.sleep(0.2)
            again = await send(c, conv, ann, "after", client_id="while-away")
            items = (await c.get(f"{CONV}/{conv}/messages", headers=bob.headers)).json()["items"]
            assert [m["id"] for m in items] == [m["id"] for m in kept] + [again["id"]]
            assert [m["seq"] for m in items] == [1, 2, 3, 4]
    finally:
        server.stop()
