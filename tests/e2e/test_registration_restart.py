"""The registration mode an admin set outlives a restart of a real `chatd
serve` (it is stored, and wins over chatd.toml), and a reset goes back to
chatd.toml's auth.registration. On both engines."""

from __future__ import annotations

import httpx

from chatd.bench.server import BENCH_CONFIG, BENCH_ENV, ServerProcess

PASSWORD = "correct horse battery"


async def test_registration_mode_survives_a_restart_until_reset(database_url, tmp_path):
    config = {**BENCH_CONFIG, "auth": {**BENCH_CONFIG["auth"], "registration": "open"}}
    server = ServerProcess(tmp_path / "served", database=database_url, config=config, env=BENCH_ENV)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url + "/api/v1", trust_env=False, timeout=5) as http:
            r = await http.post("/auth/register", json={"username": "admin", "password": PASSWORD})
            admin = {"Authorization": f"Bearer {r.json()['token']}"}
            r = await http.put("/admin/registration", json={"mode": "closed"}, headers=admin)
            assert r.status_code == 200, r.text

            server.stop()
            await server.start()
            assert (await http.get("/auth/registration")).json() == {"mode": "closed"}
            r = await http.post("/auth/register", json={"username": "carol", "password": PASSWORD})
            assert r.status_code == 403 and r.json()["code"] == "registration_closed"

            r = await http.delete("/admin/registration", headers=admin)
            assert r.status_code == 200 and r.json() == {"mode": "open"}
            server.stop()
            await server.start()
            assert (await http.get("/auth/registration")).json() == {"mode": "open"}
            r = await http.post("/auth/register", json={"username": "carol", "password": PASSWORD})
            assert r.status_code == 201, r.text
    finally:
        server.stop()
