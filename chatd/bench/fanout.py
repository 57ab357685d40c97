"""Fan-out: one message to a big group, every member on a socket.

The time that counts is the LAST member's: from just before the sender's
frame is written until the final recipient's socket has the event. One
unmeasured message goes first (first-use costs), then `messages` measured
ones, one at a time.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from chatd.bench.population import Population, close_all, open_sockets
from chatd.bench.probe import Probe
from chatd.bench.stats import latency_summary, settle
from chatd.client.models import Frame

WAIT = 10.0  # seconds one message may take to reach everyone


class Fanout:
    def __init__(self, size: int):
        self.size = size
        self.frames = 0
        self.current = ""
        self.arrivals: list[float] = []
        self.all_in = asyncio.Event()
        self.errors: list[str] = []

    def on_frame(self, i: int):
        def handle(frame: Frame) -> None:
            self.frames += 1
            if i == 0 or frame.get("type") != "message.created":
                return
            if frame["payload"]["client_id"] == self.current:
                self.arrivals.append(time.perf_counter())
                if len(self.arrivals) == self.size - 1:
                    self.all_in.set()

        return handle

    def on_reply(self, i: int):
        def handle(frame: Frame) -> None:
            if frame.get("type") == "error":  # the send was refused: stop waiting for it
                self.errors.append(str(frame.get("code")))
                self.all_in.set()

        return handle

    async def one(self, conn: Any, conversation_id: str, cid: str) -> tuple[float, list[float], int]:
        """(seconds to the last recipient or to the deadline, arrival offsets, how many got it)."""
        self.current, self.arrivals = cid, []
        self.all_in.clear()
        t0 = time.perf_counter()
        await conn.send_frame({"type": "send", "id": cid, "conversation_id": conversation_id,
                               "client_id": cid, "body": f"fan-out {cid}"})
        try:
            await asyncio.wait_for(self.all_in.wait(), WAIT)
        except asyncio.TimeoutError:
            pass
        offsets = [t - t0 for t in self.arrivals]
        return (max(offsets) if len(offsets) == self.size - 1 else WAIT), offsets, len(offsets)


async def run(population: Population, args: Any, probe: Probe) -> dict[str, Any]:
    bots = await population.ensure(args.group_size)
    began = time.perf_counter()
    conversation = await population.group(bots[0], bots[1:], "bench fan-out")
    group_seconds = time.perf_counter() - began
    scenario = Fanout(len(bots))
    began = time.perf_counter()
    conns = await open_sockets(bots, population.url, scenario.on_frame, scenario.on_reply)
    open_seconds = time.perf_counter() - began
    settle_seconds = await settle(lambda: scenario.frames)
    rss_with_sockets = probe.rss()
    lasts, firsts, medians, reached = [], [], [], []
    for k in range(args.fanout_messages + 1):
        last, offsets, got = await scenario.one(conns[0], conversation, f"f{k}")
        if k == 0:
            continue  # warm-up message
        offsets.sort()
        lasts.append(last)
        reached.append(got)
        if offsets:
            firsts.append(offsets[0])
            medians.append(offsets[len(offsets) // 2])
        await asyncio.sleep(0.2)
    dropped = sum(1 for c in conns if not c.connected)
    await close_all(conns)
    return {
        "group_size": len(bots),
        "messages": args.fanout_messages,
        "group_create_s": round(group_seconds, 2),
        "sockets_open_s": round(open_seconds, 2),
        "presence_settle_s": round(settle_seconds, 2),
        "last_recipient": latency_summary(lasts),
        "first_recipient": latency_summary(firsts),
        "median_recipient": latency_summary(medians),
        "recipients_reached": reached,
        "sockets_dropped": dropped,
        "errors": scenario.errors,
        "server_rss_with_sockets_bytes": rss_with_sockets,
    }
