"""Counters and claims in this process's memory (port: storage/ports/counters.py).

A plain dict: with one process nothing is shared anyway, and a send costs
no lock or await beyond the call (~25 us per send less than a Store)."""

from __future__ import annotations

import time

PRUNE_AT = 10_000  # keys held before expired ones are swept


class MemoryCounterStore:
    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window start, count)
        self._claims: dict[str, float] = {}  # key -> held until (monotonic)

    async def hit(self, key: str, window: int) -> int:
        start = int(time.time() // window) * window
        counts = self._counts
        if len(counts) >= PRUNE_AT and key not in counts:
            self._counts = counts = {k: v for k, v in counts.items() if v[0] >= start}
        held = counts.get(key)
        count = held[1] + 1 if held is not None and held[0] == start else 1
        counts[key] = (start, count)
        return count

    async def claim(self, key: str, ttl: float) -> bool:
        now = time.monotonic()
        until = self._claims.get(key)
        if until is not None and until > now:
            return False
        if len(self._claims) >= PRUNE_AT:
            self._claims = {k: u for k, u in self._claims.items() if u > now}
        self._claims[key] = now + ttl
        return True

    async def release(self, key: str) -> None:
        self._claims.pop(key, None)
