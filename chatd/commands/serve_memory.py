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

log = logging.getLogger("chatd")

CHECK_EVERY = 5.0  # seconds between looks (mallinfo2 walks the free lists: ~0.1 ms)
TRIM_ABOVE = 32 * 2**20  # free-but-kept bytes that are worth a trim (one takes ~5-40 ms)
TRIM_GAP = 20.0  # seconds at least between trims: the trim holds malloc's lock


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


class MemoryReturner:
    """Every few seconds: if the C heap keeps over TRIM_ABOVE bytes that no
    object uses beyond what the last trim left, trim it in a thread."""

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
        floor, last = self.kept(), 0.0
        while True:
            await asyncio.sleep(CHECK_EVERY)
            kept = self.kept()
            if kept - floor > TRIM_ABOVE and loop.time() - last >= TRIM_GAP:
                await asyncio.to_thread(self.libc.malloc_trim, 0)
                self.trims, last = self.trims + 1, loop.time()
                floor = self.kept()
                log.debug("gave back free memory: %d MB were kept", kept // 2**20)
            else:
                floor = min(floor, kept)

    def kept(self) -> int:
        """Bytes the C heap holds in free chunks (resident or not: after a
        trim they stay free chunks, hence the floor above)."""
        return self.libc.mallinfo2().fordblks
