"""RSS and CPU time of a process and its descendants, read from /proc (Linux).

A server may run worker processes; the whole tree is what it costs.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces: split after its closing ")".
    return text[text.rindex(")") + 2 :].split()


def tree(pid: int) -> list[int]:
    """`pid` and every live descendant."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def status_bytes(pid: int, field: str) -> int:
    """A memory field of /proc/PID/status ("VmRSS", "RssAnon", ...) summed over the tree."""
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def rss_bytes(pid: int) -> int:
    return status_bytes(pid, "VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by the tree."""
    ticks = 0
    for p in tree(pid):
        fields = _stat_fields(p)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / TICKS


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of this one process (all its threads), not
    its children: what the server itself spent, with no helper beside it."""
    fields = _stat_fields(pid)
    return None if fields is None else (int(fields[11]) + int(fields[12])) / TICKS


def cpu_with_waited_children(pid: int) -> float | None:
    """Like process_cpu_seconds, plus the children it has waited for (a
    migration run in a child at start-up): what its start-up cost."""
    fields = _stat_fields(pid)
    return None if fields is None else sum(int(f) for f in fields[11:15]) / TICKS


class PeakRss:
    """Samples the tree's RSS every `every` seconds while running; `peak`."""

    def __init__(self, pid: int, every: float = 0.25):
        self.pid, self.every, self.peak = pid, every, 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self.peak = max(self.peak, await asyncio.to_thread(rss_bytes, self.pid))
            await asyncio.sleep(self.every)

    def __enter__(self) -> "PeakRss":
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
        self.peak = max(self.peak, rss_bytes(self.pid))
