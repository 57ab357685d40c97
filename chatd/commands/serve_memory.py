"""Giving a burst's memory back to the Pi once the burst is over.

Python's own allocator (pymalloc) carves small objects out of 1 MiB arenas
and returns an arena only when every object in it is gone. After 2,000
sockets closed, 142 arenas held 28 MB of live objects and 115 MB of empty
pools: the few objects that outlived the burst pinned the rest, and RSS
stayed near 290 MB for good (pre-burst: 70 MB).

So the server runs on the C allocator (PYTHONMALLOC=malloc, set by
re-executing `chatd serve` once, ~20 ms: serve_malloc.py) and asks glibc to hand back its
free pages (`malloc_trim`) when it holds much more than it uses. Measured:
the same burst left 352 MB without the trim and 108 MB after it; sends and
history pages cost the same server CPU within the host's noise.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import sys
import time

log = logging.getLogger("chatd")

CHECK_EVERY = 5.0  # seconds between looks (mallinfo2 walks the free lists: ~0.1 ms)
TRIM_ABOVE = 32 * 2**20  # free-but-kept bytes that are worth a trim (one takes ~5-40 ms)
TRIM_GAP = 20.0  # seconds at least between trims: the trim holds malloc's lock
# Once the server is quiet (under QUIET_BUSY of a CPU since the last look,
# and what the heap keeps free moved by less than SETTLED_WITHIN), a smaller
# surplus is worth a trim too, without waiting out TRIM_GAP: it cannot stall
# a request then. Without this, what a burst freed after its first trim
# stayed: 5,000 sockets closing over ~3 s were trimmed half-way, and RSS
# stayed 46-67 MB above its level before the burst (budget: 30).
SETTLED_ABOVE = 8 * 2**20
SETTLED_WITHIN = 2**20
QUIET_BUSY = 0.05


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        # glibc's own name first: find_library runs `ldconfig -p` in a child
        # process, ~10-20 ms of every start-up before the port opened.
        try:
            libc = ctypes.CDLL("libc.so.6")
        except OSError:
            from ctypes.util import find_library

            libc = ctypes.CDLL(find_library("c") or "libc.so.6")
        libc.malloc_trim  # noqa: B018 - glibc only (musl has none)
        libc.mallinfo2  # noqa: B018 - glibc 2.33+
    except (OSError, AttributeError):
        return None
    return libc


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


class TrimPolicy:
    """When to trim, from what the C heap keeps free at each look. The floor
    is the least it kept since the last trim: after a trim the returned pages
    stay free chunks (mallinfo2 still counts them), so only growth above the
    floor is memory that came back into the heap since."""

    def __init__(self, kept: int) -> None:
        self.floor = self.last_kept = kept
        self.last_trim = float("-inf")
        # A trim made while the server was busy is followed by one once it is
        # quiet: the objects freed after it were few (+3 MB of free chunks),
        # but they had pinned the pages around them, and the second trim gave
        # back ~20 MB more.
        self.follow_up = False

    def look(self, kept: int, now: float, busy: float) -> bool:
        """`busy`: the share of one CPU the process used since the last look."""
        surplus = kept - self.floor
        settled = busy < QUIET_BUSY and abs(kept - self.last_kept) < SETTLED_WITHIN
        self.last_kept = kept
        # The gap keeps a busy server from trimming again and again; a quiet
        # one loses nothing to the lock, and the floor rises with each trim.
        if (settled and (self.follow_up or surplus > SETTLED_ABOVE)) or (
                surplus > TRIM_ABOVE and now - self.last_trim >= TRIM_GAP):
            self.follow_up = not settled
            return True
        self.floor = min(self.floor, kept)
        return False

    def trimmed(self, kept: int, now: float) -> None:
        self.floor = self.last_kept = kept
        self.last_trim = now


class MemoryReturner:
    """Every few seconds: if the C heap keeps more free bytes than TrimPolicy
    allows beyond what the last trim left, trim it in a thread."""

    def __init__(self) -> None:
        self.libc = _libc() if os.environ.get("PYTHONMALLOC") == "malloc" else None
        self._task: asyncio.Task[None] | None = None
        self.trims = 0

    def start(self) -> None:
        if self.libc is not None:
            self.libc.mallinfo2.restype = _Mallinfo2
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        policy = TrimPolicy(self.kept())
        cpu, at = time.process_time(), loop.time()
        while True:
            await asyncio.sleep(CHECK_EVERY)
            kept, was_cpu, was_at = self.kept(), cpu, at
            cpu, at = time.process_time(), loop.time()
            if policy.look(kept, at, (cpu - was_cpu) / max(at - was_at, 1e-3)):
                await asyncio.to_thread(self.libc.malloc_trim, 0)
                self.trims += 1
                policy.trimmed(self.kept(), loop.time())
                log.debug("gave back free memory: %d MB were kept", kept // 2**20)

    def kept(self) -> int:
        """Bytes the C heap holds in free chunks (resident or not: after a
        trim they stay free chunks, hence TrimPolicy's floor)."""
        return self.libc.mallinfo2().fordblks
