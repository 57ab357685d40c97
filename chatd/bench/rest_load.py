"""Closed-loop durable REST sends into one conversation, shared by the
rest-send, hot and slow-disk scenarios.

`in_flight` connections (light keep-alive HTTP/1.1, chatd/bench/light_http.py)
each send one message, wait for its 201 (the server answers only after the
commit, so each answer is a durable message), then send the next. Senders
take the slots in turn (slot i sends as sender i % len(senders)). Counted:
answers that arrive inside the measured window after `warmup`; every 201 is
remembered (client_id -> message id, seq) for the checks afterwards.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import msgspec

from chatd.bench.light_http import LightHttp
from chatd.bench.population import Bot
from chatd.bench.probe import Probe
from chatd.bench.stats import latency_summary, no_gc, own_cpu_seconds

BODY = "benchmark message: about the length of a short chat line."


class _Created(msgspec.Struct):
    id: str
    seq: int
    client_id: str


@dataclass
class LoadResult:
    in_flight: int
    seconds: float
    acked_in_window: int
    latencies: list[float]
    server_cpu_s: float | None
    generator_cpu_s: float
    errors: Counter[str] = field(default_factory=Counter)
    acked: dict[str, tuple[str, int]] = field(default_factory=dict)  # client_id -> (id, seq), all phases

    def add(self, other: "LoadResult") -> None:
        """Fold another run of the same load into this one (interleaved rounds)."""
        self.seconds += other.seconds
        self.acked_in_window += other.acked_in_window
        self.latencies += other.latencies
        self.server_cpu_s = None if self.server_cpu_s is None or other.server_cpu_s is None \
            else self.server_cpu_s + other.server_cpu_s
        self.generator_cpu_s += other.generator_cpu_s
        self.errors.update(other.errors)
        self.acked.update(other.acked)

    def summary(self) -> dict[str, Any]:
        n = self.acked_in_window
        return {
            "in_flight": self.in_flight,
            "seconds": round(self.seconds, 2),
            "acked_in_window": n,
            "acked_per_s": round(n / self.seconds, 1) if self.seconds else 0.0,
            "latency": latency_summary(self.latencies),
            "errors": dict(self.errors),
            "server_cpu_s": None if self.server_cpu_s is None else round(self.server_cpu_s, 3),
            "server_cpu_ms_per_send": None if self.server_cpu_s is None or not n
            else round(self.server_cpu_s / n * 1000, 3),
            "generator_cpu_s": round(self.generator_cpu_s, 3),
            "generator_cpu_ms_per_send": round(self.generator_cpu_s / n * 1000, 3) if n else None,
        }


async def send_load(url: str, senders: list[Bot], conversation: str, *, in_flight: int, warmup: float,
                    duration: float, probe: Probe, label: str = "rest-send", acked: dict[str, tuple[str, int]] | None = None) -> LoadResult:
    """Run the load for warmup + duration seconds; server CPU is read from
    the server's own process (/proc/PID/stat), the generator's from getrusage."""
    conns = [LightHttp(url, senders[i % len(senders)].token) for i in range(in_flight)]
    path = f"/conversations/{conversation}/messages"
    tag = secrets.token_hex(3)
    result = LoadResult(in_flight, duration, 0, [], None, 0.0, acked=acked if acked is not None else {})
    decode = msgspec.json.Decoder(_Created).decode
    measuring, stopping = False, False

    async def worker(slot: int) -> None:
        nonlocal measuring
        conn, n = conns[slot], 0
        while not stopping:
            n += 1
            client_id = f"{tag}-{slot}-{n}"
            body = b'{"client_id":"%s","body":"%s"}' % (client_id.encode(), BODY.encode())
            t0 = time.perf_counter()
            try:
                status, data = await conn.call("POST", path, body)
            except (OSError, asyncio.IncompleteReadError) as err:
                result.errors[type(err).__name__] += 1
                await conn.close()
                continue
            took = time.perf_counter() - t0
            if status != 201:
                result.errors[f"HTTP {status}"] += 1
                continue
            created = decode(data)
            result.acked[created.client_id] = (created.id, created.seq)
            if measuring and not stopping:
                result.acked_in_window += 1
                result.latencies.append(took)

    with no_gc():
        tasks = [asyncio.create_task(worker(i)) for i in range(in_flight)]
        try:
            await asyncio.sleep(warmup)
            async with probe.profile(label) as window:
                cpu0, own0, t0 = probe.own_cpu(), own_cpu_seconds(), time.perf_counter()
                measuring = True
                await asyncio.sleep(duration)
                cpu1, own1 = probe.own_cpu(), own_cpu_seconds()
                result.seconds = time.perf_counter() - t0
                stopping = True
                window.what, window.operations = "durable REST send", result.acked_in_window
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
        finally:
            stopping = True
            for task in tasks:
                task.cancel()
            for conn in conns:
                await conn.close()
    result.server_cpu_s = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
    result.generator_cpu_s = own1 - own0
    return result
