"""A debug-only memory census of a running server: with CHATD_TRACEMALLOC_DUMP
set to a file path (and PYTHONTRACEMALLOC=1, so tracing starts with the
interpreter), each SIGUSR2 appends to that file the Python allocations
that grew since the first SIGUSR2, grouped by line. It is how an idle
WebSocket's bytes were accounted (issue 14); production never sets it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import tracemalloc

TOP = 60
_first: list[tracemalloc.Snapshot] = []


def install(loop: asyncio.AbstractEventLoop) -> None:
    path = os.environ.get("CHATD_TRACEMALLOC_DUMP")
    if path and tracemalloc.is_tracing():  # (PYTHONTRACEMALLOC=1 starts it with the interpreter)
        loop.add_signal_handler(signal.SIGUSR2, dump, path)


def dump(path: str) -> None:
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    with open(path, "a", encoding="utf-8") as out:
        if not _first:
            _first.append(snapshot)
            stats = snapshot.statistics("lineno")
            out.write(f"=== first: {sum(s.size for s in stats)} bytes in {sum(s.count for s in stats)} blocks\n")
            return
        diff = snapshot.compare_to(_first[0], "lineno")
        out.write(f"=== since the first: {sum(d.size_diff for d in diff)} bytes, "
                  f"{sum(d.count_diff for d in diff)} blocks\n")
        for d in diff[:TOP]:
            frame = d.traceback[0]
            out.write(f"{d.size_diff}\t{d.count_diff}\t{frame.filename}:{frame.lineno}\n")
