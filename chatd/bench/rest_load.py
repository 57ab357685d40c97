"""Closed-loop durable sends into one conversation, shared by the rest, hot
and slowdisk scenarios (over WebSocket: chatd/bench/ws_load.py).

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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from chatd.bench.light_http import LightHttp
from chatd.bench.population import Bot
from chatd.bench.probe import Probe
from chatd.bench.stats import latency_summary, no_gc, own_cpu_seconds

BODY = "benchmark message: about the length of a short chat line."
ERROR_PAUSE = 0.01  # seconds a slot waits after a failed send


class _Created(msgspec.Struct):
    id: str
    seq: int


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


# One send on slot `slot` with this client_id: (message id, seq) once durable, or an error's name.
SendOne = Callable[[int, str], Awaitable["tuple[str, int] | str"]]


async def closed_loop(send_one: SendOne, *, in_flight: int, warmup: float, duration: float, probe: Probe,
                      label: str, what: str, acked: dict[str, tuple[str, int]] | None = None) -> LoadResult:
    """`in_flight` slots each send, wait for the durable answer, and send
    again, for warmup + duration seconds; server CPU is read from the server's
    own process (/proc/PID/stat), the generator's from getrusage."""
    tag = secrets.token_hex(3)
    result = LoadResult(in_flight, duration, 0, [], None, 0.0, acked=acked if acked is not None else {})
    measuring, stopping = False, False

    async def worker(slot: int) -> None:
        n = 0
        while not stopping:
            n += 1
            client_id = f"{tag}-{slot}-{n}"
            t0 = time.perf_counter()
            answer = await send_one(slot, client_id)
            took = time.perf_counter() - t0
            if isinstance(answer, str):
                result.errors[answer] += 1
                # A closed socket fails at once, without yielding: pause, or
                # this slot would spin and starve the generator's own loop.
                await asyncio.sleep(ERROR_PAUSE)
                continue
            result.acked[client_id] = answer
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
                window.what, window.operations = what, result.acked_in_window
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
        finally:
            stopping = True
            for task in tasks:
                task.cancel()
    result.server_cpu_s = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
    result.generator_cpu_s = own1 - own0
    return result


async def send_load(url: str, senders: list[Bot], conversation: str, *, in_flight: int, warmup: float,
                    duration: float, probe: Probe, label: str = "rest",
                    acked: dict[str, tuple[str, int]] | None = None) -> LoadResult:
    """Durable REST sends, one keep-alive connection per slot."""
    conns = [LightHttp(url, senders[i % len(senders)].token) for i in range(in_flight)]
    path = f"/conversations/{conversation}/messages"
    decode = msgspec.json.Decoder(_Created).decode

    async def send_one(slot: int, client_id: str) -> tuple[str, int] | str:
        body = b'{"client_id":"%s","body":"%s"}' % (client_id.encode(), BODY.encode())
        try:
            status, data = await conns[slot].call("POST", path, body)
        except (OSError, asyncio.IncompleteReadError) as err:
            await conns[slot].close()
            return type(err).__name__
        if status != 201:
            return f"HTTP {status}"
        created = decode(data)
        return created.id, created.seq

    try:
        return await closed_loop(send_one, in_flight=in_flight, warmup=warmup, duration=duration, probe=probe,
                                 label=label, what="durable REST send", acked=acked)
    finally:
        for conn in conns:
            await conn.close()
