"""A local Prometheus scraping a real server."""

from __future__ import annotations

import asyncio
import re

import httpx
import websockets

from chatd.bench.server import BENCH_ENV, ServerProcess


def sample(text: str, name: str) -> float:
    match = re.search(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.MULTILINE)
    assert match, f"{name} missing in:\n{text}"
    return float(match.group(1))


def test_metrics_count_sockets_memory_and_the_log(tmp_path):
    server = ServerProcess(tmp_path, env=BENCH_ENV)
    asyncio.run(server.start())
    try:
        asyncio.run(_scrape(server.url))
    finally:
        server.stop()


async def _scrape(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, trust_env=False) as http:
        r = await http.post("/api/v1/auth/register", json={"username": "ann", "password": "correct horse battery"})
        token = r.json()["token"]
        before = await http.get("/metrics")
        assert before.status_code == 200 and before.headers["content-type"].startswith("text/plain")
        assert sample(before.text, "chatd_websockets_open") == 0
        assert sample(before.text, "chatd_process_resident_memory_bytes") > 10_000_000
        async with websockets.connect(url.replace("http", "ws") + "/api/v1/ws",
                                      additional_headers={"Authorization": f"Bearer {token}"}):
            await asyncio.sleep(0.2)
            during = (await http.get("/metrics")).text
            assert sample(during, "chatd_websockets_open") == 1
            assert sample(during, "chatd_users_connected") == 1
        await http.post("/api/v1/conversations", headers={"Authorization": f"Bearer {token}"},
                        json={"kind": "group", "title": "t", "member_ids": []})
        after = (await http.get("/metrics")).text
        assert sample(after, "chatd_event_log_head") > sample(before.text, "chatd_event_log_head")
