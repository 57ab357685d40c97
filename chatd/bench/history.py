"""History pages: readers scrolling back through a long conversation.

A conversation of two users gets --history-messages messages (sent over a
socket before measuring). First one member scrolls back through all of it
once: every page read for the first time (the server keeps the messages'
JSON it has shown, chatd/storage/sql/message_json_kept.py; a first read
builds it). Then --history-readers readers, both members taking turns,
fetch pages of 50 before a random seq for --history-duration seconds, as
clients scrolling back and forth do. Every page is checked: 50 items in
ascending seq, exactly the 50 below the cursor.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from chatd.bench.population import Bot, Population, bounded
from chatd.bench.probe import Probe
from chatd.bench.stats import latency_summary, own_cpu_seconds

PAGE = 50


async def run(population: Population, args: Any, probe: Probe) -> dict[str, Any]:
    a, b = (await population.ensure(2))[:2]
    chat = await population.group(a, [b], "history")
    began = time.perf_counter()
    async with a.client.connect(proxy=None) as conn:  # sends over a socket: faster than REST to set up
        await bounded([lambda i=i: conn.send_message(chat, f"history message {i}")
                       for i in range(args.history_messages)], parallel=256)
    fill_seconds = time.perf_counter() - began
    newest = (await a.client.conversation(chat)).last_seq

    latencies: list[float] = []
    wrong: list[str] = []

    async def page(bot: Bot, before: int) -> None:
        t0 = time.perf_counter()
        got = await bot.client.messages(chat, before_seq=before, limit=PAGE)
        latencies.append(time.perf_counter() - t0)
        seqs = [m.seq for m in got.items]
        if seqs != list(range(max(1, before - PAGE), before)):
            wrong.append(f"before_seq={before}: got {seqs[:3]}...{seqs[-3:]}")

    cpu_before = probe.cpu()
    for before in range(newest + 1, 1, -PAGE):  # every message shown once
        await page(b, before)
    first_pages = len(latencies)
    first_cpu = None if cpu_before is None else probe.cpu() - cpu_before
    latencies.clear()

    async def reader(bot: Bot) -> None:
        while time.perf_counter() < deadline:
            await page(bot, random.randint(PAGE + 1, newest + 1))

    async with probe.profile("history") as window:
        deadline = time.perf_counter() + args.history_duration
        cpu_before, own_before = probe.cpu(), own_cpu_seconds()
        began = time.perf_counter()
        await asyncio.gather(*(reader(a if i % 2 else b) for i in range(args.history_readers)))
        seconds = time.perf_counter() - began
        server_cpu = None if cpu_before is None else probe.cpu() - cpu_before
        window.what, window.operations = "history page", len(latencies)
    pages = len(latencies)
    return {
        "messages": args.history_messages,
        "fill_s": round(fill_seconds, 2),
        "readers": args.history_readers,
        "page_size": PAGE,
        "pages": pages,
        "pages_per_s": round(pages / seconds, 1),
        "latency": latency_summary(latencies),
        "wrong_pages": len(wrong),
        "wrong_examples": wrong[:3],
        "server_cpu_s": None if server_cpu is None else round(server_cpu, 2),
        "server_cpu_ms_per_page": None if server_cpu is None or not pages else round(server_cpu / pages * 1000, 3),
        "first_pages": first_pages,
        "server_cpu_ms_per_first_page": None if first_cpu is None or not first_pages else round(first_cpu / first_pages * 1000, 3),
        "generator_cpu_s": round(own_cpu_seconds() - own_before, 2),
    }

