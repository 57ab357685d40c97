"""Small numeric helpers for the report."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import resource
import time
from collections.abc import Callable, Iterator


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an already sorted list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_summary(seconds: list[float]) -> dict[str, float | int | None]:
    """Milliseconds: count, p50, p95, p99, max."""
    values = sorted(seconds)

    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000, 3)

    return {
        "count": len(values),
        "p50_ms": ms(percentile(values, 50)),
        "p95_ms": ms(percentile(values, 95)),
        "p99_ms": ms(percentile(values, 99)),
        "max_ms": ms(values[-1] if values else None),
    }


async def settle(counter: Callable[[], int], quiet: float = 0.3, limit: float = 30.0) -> float:
    """Wait until `counter()` stops moving for `quiet` seconds (at most
    `limit`): e.g. until the presence frames of a crowd coming online are
    through. Returns the seconds waited."""
    began = time.perf_counter()
    last, since = counter(), time.perf_counter()
    while time.perf_counter() - began < limit:
        await asyncio.sleep(0.05)
        now_value = counter()
        if now_value != last:
            last, since = now_value, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            break
    return time.perf_counter() - began


def own_cpu_seconds() -> float:
    """CPU time of the load generator itself (user + system), without the
    server it may have started."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def mb(n_bytes: int | None) -> float | None:
    return None if n_bytes is None else round(n_bytes / 1024 / 1024, 1)


class LoopLag:
    """How late the load generator's own event loop wakes up (a task asking
    to sleep `every` seconds): if this is large, the generator, not the
    server, is adding latency to the numbers."""

    def __init__(self, every: float = 0.005):
        self.every = every
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            began = time.perf_counter()
            await asyncio.sleep(self.every)
            self.lags.append(time.perf_counter() - began - self.every)

    def __enter__(self) -> "LoopLag":
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """No cyclic garbage collection in the generator while it measures: a
    full collection over thousands of socket objects pauses its loop for
    milliseconds, which would show up as server latency. Memory is still
    freed by reference counting; cycles wait until the block ends."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
