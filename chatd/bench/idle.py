"""Idle sockets: open many, hold them, count how many the server kept.

The owners are users of their own, in no conversation with anyone, so what
is measured is the cost of a held socket, not of presence broadcasts. Each
user has several sockets (devices), as real users do.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from chatd.bench.population import Population, close_all, try_open
from chatd.client import Connection
from chatd.bench.probe import Probe
from chatd.bench.stats import settle
from chatd.client.models import Frame


async def run(population: Population, args: Any, probe: Probe, first_user: int) -> dict[str, Any]:
    users = (await population.ensure(first_user + args.idle_users))[first_user:]
    owners = [users[i % len(users)] for i in range(args.idle_sockets)]
    frames = 0

    def on_frame(_: int):
        def handle(frame: Frame) -> None:
            nonlocal frames
            frames += 1

        return handle

    rss_before = probe.rss()
    began = time.perf_counter()
    results = await try_open(owners, population.url, on_frame, parallel=100)
    opened = [r for r in results if isinstance(r, Connection)]
    errors = Counter(f"{type(r).__name__}: {r}" for r in results if not isinstance(r, Connection))
    open_seconds = time.perf_counter() - began
    await settle(lambda: frames)
    rss_open = probe.rss()
    await asyncio.sleep(args.idle_hold)
    held = sum(1 for c in opened if c.connected)
    rss_held = probe.rss()
    began = time.perf_counter()
    await close_all(opened)
    close_seconds = time.perf_counter() - began
    # A Pi must not keep a burst's memory: what is left once they are gone.
    await asyncio.sleep(args.idle_after)
    rss_after = probe.rss()
    per_socket = None
    if rss_before is not None and rss_held is not None and held:
        per_socket = round((rss_held - rss_before) / held)
    result = {
        "sockets_asked": len(owners),
        "users": len(users),
        "opened": len(opened),
        "failed": sum(errors.values()),
        "held_after_s": args.idle_hold,
        "held": held,
        "open_s": round(open_seconds, 2),
        "close_s": round(close_seconds, 2),
        "server_rss_before_bytes": rss_before,
        "server_rss_open_bytes": rss_open,
        "server_rss_held_bytes": rss_held,
        "server_rss_per_socket_bytes": per_socket,
        "after_close_s": args.idle_after,
        "server_rss_after_close_bytes": rss_after,
        "frames_received": frames,
    }
    if errors:
        result["errors"] = dict(errors.most_common(3))
    return result
