"""A feature flag changed at run time reaches connected clients, each told
what is on for them, whether the change came from the admin API or from
`chatd flags set` in another process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from chatd.bench.server import BENCH_ENV


def is_update(frame):
    return frame.get("type") == "features.updated"


async def test_a_flag_flipped_by_an_admin_reaches_connected_clients(server, api, connect):
    ann, bob = await api.user("ann"), await api.user("bob")
    a, b = await connect(ann), await connect(bob)
    await a.ready()
    await b.ready()
    await api.call(server.root, "PUT", "/api/v1/admin/features/graphql", 200,
                   json={"state": "off", "users": [ann.name]})
    assert (await a.until(is_update))["features"]["graphql"] is True
    assert (await b.until(is_update))["features"]["graphql"] is False

    await api.call(server.root, "PUT", "/api/v1/admin/features/graphql", 200, json={"state": "on"})
    assert (await b.until(is_update))["features"] == {"e2ee": True, "e2ee_default": False, "search": True, "graphql": True}
    await api.call(server.root, "PUT", "/api/v1/admin/features/graphql", 200, json={"state": "off"})
    assert (await b.until(is_update))["features"]["graphql"] is False


async def test_a_flag_set_from_the_command_line_reaches_the_running_server(server, api, connect):
    bob = await api.user("bob")
    b = await connect(bob)
    await b.ready()
    config = server.config_path
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "chatd", "flags", "set", "search", "off", "--config", str(config)],
        capture_output=True, text=True, env={**os.environ, **BENCH_ENV, "CHATD_CONFIG": str(config)}, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    try:
        # Noticed by the server's poll of the flags table (every 2 s).
        assert (await b.until(is_update, timeout=8))["features"]["search"] is False
        r = await api.call(bob, "GET", "/api/v1/search", params={"q": "x"})
        assert r.status_code == 404 and r.json()["code"] == "feature_disabled"
    finally:
        await api.call(server.root, "PUT", "/api/v1/admin/features/search", 200, json={"state": "on"})
