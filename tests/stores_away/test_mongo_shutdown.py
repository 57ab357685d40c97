"""Stopping chatd while its MongoDB is gone: a real `chatd serve` with the
conversation side on a real SecantusDB, which is stopped under it; SIGTERM
to chatd must end it within a few seconds with a clean exit (it used to
hang for minutes: the event relay's cancel was lost in pymongo's server
selection and it retried for ever, and the client's close waited out a
server selection for endSessions), and once MongoDB is back every
acknowledged message is there."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import httpx
import websockets

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.stores_away.test_mongo_away import Secantus

PASSWORD = "correct horse battery"
STOP_WITHIN = 6.0  # seconds from SIGTERM to exit, on a busy two-core host (about 1.6 s here)


async def _user(http: httpx.AsyncClient, name: str) -> tuple[str, dict]:
    r = await http.post("/api/v1/auth/register", json={"username": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()["user"]["id"], {"Authorization": f"Bearer {r.json()['token']}"}


async def _chat(url: str) -> tuple[str, dict, list[str]]:
    """Two users, a conversation and three acknowledged messages."""
    async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=10) as http:
        await _user(http, "root")
        _, ann = await _user(http, "ann")
        bob_id, _ = await _user(http, "bob")
        r = await http.post("/api/v1/conversations", headers=ann, json={"kind": "direct", "user_id": bob_id})
        conv = r.json()["id"]
        sent = []
        for n in range(3):
            r = await http.post(f"/api/v1/conversations/{conv}/messages", headers=ann,
                                json={"client_id": f"m{n}", "body": f"before {n}"})
            assert r.status_code == 201, r.text
            sent.append(r.json()["id"])
        return conv, ann, sent


async def _stop_while_mongo_is_gone(server: ServerProcess, mongo: Secantus, ann: dict, conv: str) -> float:
    ws_url = server.url.replace("http", "ws") + "/api/v1/ws"
    async with websockets.connect(ws_url, additional_headers=ann) as ws:
        await ws.recv()  # ready: a live socket the shutdown has to close
        await asyncio.to_thread(mongo.stop)
        async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=30) as http:
            # Requests that need MongoDB now (its pool and monitor notice it is gone).
            r = await http.post(f"/api/v1/conversations/{conv}/messages", headers=ann,
                                json={"client_id": "while-away", "body": "x"})
            assert r.status_code == 503, r.text
        assert server.proc is not None
        server.proc.send_signal(signal.SIGTERM)
        began = time.monotonic()
        code = await asyncio.to_thread(server.proc.wait, 90)
        took = time.monotonic() - began
    assert code == 0, f"exit status {code}:\n{server.log_tail()}"
    return took


def test_sigterm_ends_chatd_quickly_with_mongodb_gone(tmp_path: Path) -> None:
    mongo = Secantus(tmp_path)
    mongo.start()
    server = ServerProcess(tmp_path / "chatd", env=BENCH_ENV, config={"storage": {
        "messages": f"mongodb://127.0.0.1:{mongo.port}/chatd_stop?directConnection=true"}})
    try:
        asyncio.run(server.start())
        conv, ann, sent = asyncio.run(_chat(server.url))
        took = asyncio.run(_stop_while_mongo_is_gone(server, mongo, ann, conv))
        assert took < STOP_WITHIN, f"chatd took {took:.1f} s to stop:\n{server.log_tail()}"

        # Nothing acknowledged was lost: MongoDB (same files) and chatd back.
        mongo.start()
        asyncio.run(server.start())

        async def read_back() -> list[str]:
            async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=10) as http:
                r = await http.get(f"/api/v1/conversations/{conv}/messages", headers=ann)
                assert r.status_code == 200, r.text
                return [m["id"] for m in r.json()["items"]]

        assert asyncio.run(read_back()) == sent
    finally:
        server.stop()
        mongo.stop()
