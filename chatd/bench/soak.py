"""Soak: the throughput load at a steady rate for a long while, to see that
nothing creeps: the server's RSS sampled every few seconds and the
end-to-end p99 of each fifth of the run should stay flat.

Defaults are the issue's soak (200 clients, 1,000 messages/s) but for 60 s;
`--soak-duration 600` runs the full 10 minutes.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from chatd.bench import throughput
from chatd.bench.population import Population
from chatd.bench.probe import Probe
from chatd.bench.stats import latency_summary, mb

SLICES = 5


async def _sample_rss(probe: Probe, every: float, into: list[tuple[float, int | None]]) -> None:
    began = time.perf_counter()
    while True:
        into.append((round(time.perf_counter() - began, 1), probe.rss()))
        await asyncio.sleep(every)


def _p99_by_slice(scenario: throughput.Throughput) -> list[float | None]:
    start, end = scenario.window
    width = (end - start) / SLICES
    slices: list[list[float]] = [[] for _ in range(SLICES)]
    for at, latency in zip(scenario.e2e_at, scenario.e2e):
        slices[min(SLICES - 1, max(0, int((at - start) / width)))].append(latency)
    return [latency_summary(s)["p99_ms"] for s in slices]


async def run(population: Population, args: Any, probe: Probe) -> dict[str, Any]:
    clients = args.soak_clients
    scenario = await throughput.prepare(population, clients, max(1, clients // 2))
    samples: list[tuple[float, int | None]] = []
    sampler = asyncio.create_task(_sample_rss(probe, args.soak_sample, samples))
    try:
        result = await scenario.run(args.soak_rate, args.warmup, args.soak_duration, args.max_in_flight, probe)
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
    measured = [rss for at, rss in samples if at >= args.warmup and rss is not None]
    p99s = _p99_by_slice(scenario)
    return {
        **{k: result[k] for k in ("clients", "target_rate", "duration_s", "warmup_s", "acked_per_s", "errors",
                                  "unacked_after_drain", "undelivered_after_drain", "sockets_dropped",
                                  "send_failed_socket_closed", "end_to_end")},
        "p99_ms_by_fifth": p99s,
        "rss_mb_samples": [[at, mb(rss)] for at, rss in samples],
        "rss_first_mb": mb(measured[0]) if measured else None,
        "rss_last_mb": mb(measured[-1]) if measured else None,
        "rss_max_mb": mb(max(measured)) if measured else None,
    }
