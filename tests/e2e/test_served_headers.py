"""What a scanner sees of a real `chatd serve` (ASVS 14.3.3, 14.5.1, 4.3.2,
12.5.1): no version in the Server header, unused methods refused as problem
documents, no directory listing, no path out of /static, no dot-files."""

from __future__ import annotations

import re

import httpx

from chatd.bench.server import BENCH_ENV, ServerProcess


async def test_a_scanner_learns_nothing_and_reaches_nothing(tmp_path):
    (tmp_path / "secret.txt").write_text("not for the web")
    server = ServerProcess(tmp_path, env=BENCH_ENV)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
            r = await http.get("/api/v1/me")
            assert r.status_code == 401
            assert not re.search(r"\d", r.headers.get("server", "")), r.headers  # no version to look up
            assert "x-powered-by" not in r.headers
            for method in ("TRACE", "CONNECT", "PROPFIND"):
                r = await http.request(method, "/api/v1/me")
                assert r.status_code in (400, 405) and r.status_code != 500, (method, r.status_code)
            for path in ("/static/", "/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/..%2fsecret.txt",
                         "/.git/config", "/chatd.toml", "/chatd.db", "/static/.gitignore", "/secret.txt"):
                r = await http.get(path)
                assert r.status_code == 404 and "not for the web" not in r.text, (path, r.status_code)
    finally:
        assert server.stop() == 0, server.log_tail()
