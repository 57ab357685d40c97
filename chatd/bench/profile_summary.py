"""Reads py-spy's raw (collapsed) samples and writes what a reader needs:
per window, the steps of a request (routing+middleware, auth/session
lookup, validation, storage, commit thread, encoding, ...) with their CPU
per operation, then the top functions by own and cumulative CPU.

A sample is a line `thread (TID): NAME;frame;...;frame COUNT`, root first,
a frame `function (file:line)`. py-spy counts a thread blocked in fsync or
waiting for work as busy, so samples whose innermost frame is a known wait
are dropped and each thread's remaining samples share that thread's real
CPU time over the window (/proc/PID/task). A sample belongs to the first
step below with code on its stack (the commit thread by its name): a
session lookup that reads the database is auth, not storage.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from chatd.bench.profiler import Window

STEPS: list[tuple[str, tuple[str, ...]]] = [
    ("commit thread (COMMIT: WAL write + fsync; checkpoints)",
     ("chatd-sqlite-commit", "chatd-sqlite-checkpoint", "sqlite.py:_commit", "sqlite_checkpoint.py:")),
    ("auth/session lookup", ("api/security.py:", "services/tokens.py:", "/auth.py:", "accounts.py:Accounts.authenticate")),
    ("response: JSON encoding, before_send hook, bytes to granian", ("litestar/response/", "litestar/serialization/", "_encode", "encode_")),
    ("validation (body, path/query parameters)", ("litestar/_kwargs/", "litestar/_signature/", "message_input.py:",
                                                 "_bodies.py:", "litestar/params", "bounded_request.py:",
                                                 "litestar/connection/request.py:")),
    ("storage (statements, write batch)", ("chatd/storage/",)),
    ("services (rules, limits, events, fan-out)", ("chatd/services/", "chatd/realtime/")),
    ("handler (chatd/api)", ("chatd/api/",)),
    ("routing + middleware (Litestar, ASGI)", ("litestar/", "granian/")),
]
NATIVE = "native, no Python frame (granian's I/O thread, other native threads)"
OTHER = "event loop itself (uvloop in C: I/O, timers; asyncio glue, GC)"
# Innermost frames that mean "waiting", not working.
WAITS = ("concurrent/futures/thread.py:_worker", "threading.py:Condition.wait", "threading.py:Event.wait",
         "queue.py:Queue.get", "selectors.py:", "threading.py:Thread._wait_for_tstate_lock")


def parse(raw: Path) -> list[tuple[int, str, list[str], int]]:
    """(thread id, thread name, frames root first as 'path:function', count) per line."""
    out = []
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        head, *rest = stack.split(";")
        tid_text, _, name = head.partition(": ")
        tid = int(tid_text.removeprefix("thread (").rstrip(")") or 0) if head.startswith("thread (") else 0
        frames = []
        for frame in rest:
            func, _, where = frame.partition(" (")
            frames.append(f"{where.rstrip(')').rpartition(':')[0]}:{func}")
        out.append((tid, name, frames, int(count)))
    return out


def step_of(thread: str, frames: list[str]) -> str:
    if not frames:
        return NATIVE
    keys = [thread, *frames]
    for name, needles in STEPS:
        if any(needle in key for key in keys for needle in needles):
            return name
    return OTHER


def weigh(win: Window, samples: list[tuple[int, str, list[str], int]]) -> tuple[list[tuple[str, list[str], float]], float]:
    """Each working sample with its CPU seconds; plus CPU of threads py-spy never sampled."""
    working = [(tid, name, frames, n) for tid, name, frames, n in samples
               if not (frames and frames[-1].startswith(WAITS))]
    per_thread: Counter[int] = Counter()
    for tid, _, _, n in working:
        per_thread[tid] += n
    cpu = win.thread_cpu_s or {}
    out = [(name, frames, n * cpu.get(tid, ("", 0.0))[1] / per_thread[tid]) for tid, name, frames, n in working]
    unsampled = sum(seconds for tid, (_, seconds) in cpu.items() if tid not in per_thread)
    return out, unsampled


def _table(counter: dict[str, float], total: float, ops: int, top: int | None = None) -> list[str]:
    lines = []
    for key, seconds in sorted(counter.items(), key=lambda kv: -kv[1])[:top]:
        per = f"{seconds / ops * 1000:7.3f} ms/op" if ops else ""
        lines.append(f"  {seconds / total * 100 if total else 0:5.1f}%  {seconds:6.3f} s {per}  {key}")
    return lines


def summarize_window(win: Window, rate: int, top: int = 20) -> list[str]:
    samples = parse(win.raw)
    weighted, unsampled = weigh(win, samples)
    total = sum(s for _, _, s in weighted) + unsampled
    head = [f"== {win.label}: {win.operations} {win.what}s in {win.seconds:.2f} s; "
            f"{sum(n for *_, n in samples)} samples at {rate} Hz"]
    if win.server_cpu_s is not None and win.operations:
        head.append(f"   server CPU from /proc {win.server_cpu_s:.3f} s = "
                    f"{win.server_cpu_s / win.operations * 1000:.3f} ms per {win.what} (threads summed: {total:.3f} s)")
    names = {tid: name for tid, name, _, _ in samples if name}  # Python's names; /proc says "python"
    threads = {f"{names.get(tid, comm)} ({tid})": seconds
               for tid, (comm, seconds) in (win.thread_cpu_s or {}).items() if seconds > 0}
    steps: dict[str, float] = defaultdict(float)
    own: dict[str, float] = defaultdict(float)
    cumulative: dict[str, float] = defaultdict(float)
    for thread, frames, seconds in weighted:
        steps[step_of(thread, frames)] += seconds
        if frames:
            own[frames[-1]] += seconds
        for key in set(frames):
            cumulative[key] += seconds
    if unsampled:
        steps["threads with no Python state (jemalloc, granian workers)"] += unsampled
    ops = win.operations
    return [
        *head,
        f"-- steps: share of server CPU, seconds, CPU per {win.what}", *_table(steps, total, ops),
        "-- threads (from /proc)", *_table(threads, total, ops),
        f"-- top {top} functions by own CPU", *_table(own, total, ops, top),
        f"-- top {top} functions by cumulative CPU", *_table(cumulative, total, ops, top),
        "",
    ]


def write_summary(windows: Iterable[Window], rate: int, path: Path) -> Path:
    lines = ["chatd bench --profile: py-spy samples of the server during each measured window,",
             "weighted by each thread's CPU from /proc (samples waiting for work dropped);",
             "a sample's step is the first of the list whose code is on its stack.", ""]
    for win in windows:
        lines += summarize_window(win, rate)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
