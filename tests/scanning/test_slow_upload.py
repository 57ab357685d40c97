"""A client that sends its upload slowly holds no scan slot while it does:
the slot is taken only once the file is complete and being scanned. With
one slot (media.scan_concurrency = 1) and a real clamd, another user's
upload is scanned and kept at once while the slow one is still arriving;
the slow one is scanned when it is complete (docs/operations.md, scanning)."""

from __future__ import annotations

import asyncio
import json
import os
import time

import httpx

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.clamd_server import clamd  # noqa: F401 - the fixture
from tests.scanning.conftest import EICAR

PASSWORD = "correct horse battery"
TIMEOUT = 4  # media.scan_timeout_seconds: a slot wait past it is 503
BOUNDARY = "slowslowslow"


async def _user(http: httpx.AsyncClient, name: str) -> tuple[str, dict]:
    r = await http.post("/api/v1/auth/register", json={"username": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()["user"]["id"], {"Authorization": f"Bearer {r.json()['token']}"}


async def _slow_upload(port: int, path: str, token_header: dict, data: bytes, seconds: float) -> tuple[int, bytes]:
    """POST a multipart upload over a raw socket, its body spread over `seconds`."""
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="slow.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    body = head + data + f"\r\n--{BOUNDARY}--\r\n".encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  f"Authorization: {token_header['Authorization']}\r\n"
                  f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode())
    pieces = 20
    step = len(body) // pieces + 1
    for start in range(0, len(body), step):
        writer.write(body[start:start + step])
        await writer.drain()
        await asyncio.sleep(seconds / pieces)
    reply = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    status = int(reply.split(b" ", 2)[1])
    return status, reply.partition(b"\r\n\r\n")[2]


async def _scenario(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=30) as http:
        await _user(http, "root")
        ann_id, ann = await _user(http, "ann")
        bob_id, bob = await _user(http, "bob")
        conv = (await http.post("/api/v1/conversations", headers=ann,
                                json={"kind": "direct", "user_id": bob_id})).json()["id"]
        path = f"/api/v1/conversations/{conv}/attachments"

        # Ann's upload trickles in over 2.5 x the scan timeout.
        slow = asyncio.ensure_future(_slow_upload(server.port, path, ann, os.urandom(200_000), TIMEOUT * 2.5))
        await asyncio.sleep(1.0)
        assert not slow.done()
        # Meanwhile Bob's upload is scanned (one slot) and kept without waiting for Ann's.
        for n in range(2):
            started = time.monotonic()
            r = await http.post(path, headers=bob, files={"file": (f"b{n}.bin", os.urandom(50_000) + bytes([n]))})
            assert r.status_code == 201, r.text
            assert time.monotonic() - started < TIMEOUT - 1
            assert not slow.done()  # Ann's was still arriving all along
            await asyncio.sleep(TIMEOUT / 2)
        # Bob's infected file is still refused: scanning did happen.
        r = await http.post(path, headers=bob, files={"file": ("e.txt", b"x" * 1000 + EICAR)})
        assert r.status_code == 422 and r.json()["code"] == "attachment_rejected", r.text
        status, body = await slow
        assert status == 201, body  # scanned once complete, and kept
        kept = json.loads(body)
        r = await http.get(f"/api/v1/attachments/{kept['id']}/info", headers=ann)
        assert r.status_code == 200 and r.json()["filename"] == "slow.bin", r.text


def test_a_slow_upload_holds_no_scan_slot(tmp_path, clamd):  # noqa: F811
    server = ServerProcess(tmp_path, config={"media": {
        "scan_clamd": f"unix://{clamd.socket}", "scan_concurrency": 1, "scan_timeout_seconds": TIMEOUT}},
        env=BENCH_ENV)
    asyncio.run(server.start())
    try:
        asyncio.run(_scenario(server))
    finally:
        server.stop()
