"""Memory a burst of sockets took is given back once they close, without
waiting for more traffic: a Pi's server must not keep a spike's RAM."""

from __future__ import annotations

import asyncio

from chatd.bench.population import Population, close_all, open_sockets
from chatd.bench.procstat import rss_bytes
from chatd.bench.server import BENCH_ENV, ServerProcess


async def test_rss_falls_back_after_a_thousand_sockets_close(tmp_path):
    server = ServerProcess(tmp_path, env=BENCH_ENV)
    await server.start()
    population = Population(server.url)
    try:
        users = await population.ensure(100)
        before = rss_bytes(server.pid)
        sockets = await open_sockets([users[i % 100] for i in range(1000)], server.url, lambda i: lambda f: None)
        await asyncio.sleep(0.5)
        held = rss_bytes(server.pid)
        await close_all(sockets)
        grown = held - before
        assert grown > 50 * 2**20, grown  # the sockets did cost memory
        for _ in range(50):  # the collection runs 1 s after the first close
            await asyncio.sleep(0.1)
            left = rss_bytes(server.pid) - before
            if left < grown * 0.4:
                break
        assert left < grown * 0.4, (before, held, left)
    finally:
        await population.aclose()
        assert server.stop() == 0, server.log_tail()
